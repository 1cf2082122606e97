using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Cli.Tests;

/// <summary>
/// A deliberately wrong device for testing how `pixelfly conformance` reports failures: it runs graphs on the
/// reference device, then adds 1 to the first element of every output.
/// </summary>
internal sealed class OffByOneBackend : IBackend
{
    public const string BackendName = "offbyone";

    public static void Register() => BackendRegistry.Register(new OffByOneBackend());

    private static readonly DeviceInfo Device = new(BackendName, BackendName, "Off-by-one (test double)", "none", 0, new Dictionary<string, string>());

    public string Name => BackendName;

    public string Description => "the reference device with every output's first element off by one (test double)";

    public BackendProbe Probe() => BackendProbe.Available(0);

    public IReadOnlyList<DeviceInfo> EnumerateDevices() => [Device];

    public IDevice Open(DeviceInfo device, DeviceOptions options) => new OffByOneDevice(BackendRegistry.Open("ref"));

    private sealed class OffByOneDevice(IDevice inner) : IDevice
    {
        public DeviceInfo Info => Device;

        public Support Supports(Op op, IReadOnlyList<TensorType> inputTypes) => inner.Supports(op, inputTypes);

        public IDeviceTensor Allocate(TensorType type, int guardBytes = 0) => inner.Allocate(type, guardBytes);

        public IExecutable Compile(Graph graph) => new OffByOneExecutable(this, inner.Compile(graph));

        public void Dispose() => inner.Dispose();
    }

    private sealed class OffByOneExecutable(IDevice device, IExecutable inner) : IExecutable, IDeviceBound
    {
        public Graph Graph => inner.Graph;

        public IDevice Device => device;

        public void Run(IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs)
        {
            inner.Run(inputs, outputs);
            foreach (var t in outputs.Values)
            {
                var host = t.Download();
                if (host.ElementCount == 0) continue;
                var values = host.ToDoubles();
                values[0] += 1;
                host.SetFromDoubles(values);
                t.Upload(host.Data);
            }
        }

        public string Describe() => "off by one: " + inner.Describe();

        public void Dispose() => inner.Dispose();
    }
}
