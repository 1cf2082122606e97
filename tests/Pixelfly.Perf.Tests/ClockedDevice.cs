using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Tests;

/// <summary>
/// A real device whose executables also report a device time per run (<see cref="IDeviceTimedExecutable"/>), as the
/// Vulkan backend's will: <paramref name="deviceMs"/> after every run, or null when <paramref name="deviceMs"/> is null
/// (a timer that is there but unusable).
/// </summary>
internal sealed class ClockedDevice(IDevice inner, double? deviceMs) : IDevice
{
    public DeviceInfo Info { get; } = inner.Info with { Id = "clocked", Backend = "clocked", Name = "clocked test device" };

    public Support Supports(Op op, IReadOnlyList<TensorType> inputTypes) => inner.Supports(op, inputTypes);

    public IDeviceTensor Allocate(TensorType type, int guardBytes = 0) => inner.Allocate(type, guardBytes);

    public IExecutable Compile(Graph graph) => new Executable(this, inner.Compile(graph), deviceMs);

    public void Dispose() => inner.Dispose();

    private sealed class Executable(IDevice device, IExecutable inner, double? deviceMs) : IDeviceTimedExecutable, IDeviceBound
    {
        public Graph Graph => inner.Graph;

        public IDevice Device => device;

        public double? LastRunDeviceMilliseconds { get; private set; }

        public string Describe() => "clocked: " + inner.Describe();

        public void Run(IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs)
        {
            inner.Run(inputs, outputs);
            LastRunDeviceMilliseconds = deviceMs;
        }

        public void Dispose() => inner.Dispose();
    }
}
