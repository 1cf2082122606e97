using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Tests;

/// <summary>What a <see cref="BrokenDevice"/> does to the outputs of the graphs it breaks.</summary>
internal enum Damage
{
    /// <summary>Adds 1 + |v| to the first element of every float output (never equal to v).</summary>
    OffByOne,

    /// <summary>Writes NaN into the first element of every float output.</summary>
    NaN,
}

/// <summary>
/// A deliberately wrong device: it runs graphs on a real device (its tensors are the inner device's), then damages
/// the outputs of the graphs <paramref name="breaks"/> selects (all by default), so tests can see the conformance
/// guard refuse to time it.
/// </summary>
internal sealed class BrokenDevice(IDevice inner, Damage damage, Func<Graph, bool>? breaks = null) : IDevice
{
    public DeviceInfo Info { get; } = inner.Info with { Id = "broken", Backend = "broken", Name = $"broken ({damage})" };

    public Support Supports(Op op, IReadOnlyList<TensorType> inputTypes) => inner.Supports(op, inputTypes);

    public IDeviceTensor Allocate(TensorType type, int guardBytes = 0) => inner.Allocate(type, guardBytes);

    public IExecutable Compile(Graph graph) => new Executable(this, inner.Compile(graph), breaks?.Invoke(graph) ?? true, damage);

    public void Dispose() => inner.Dispose();

    private sealed class Executable(IDevice device, IExecutable inner, bool broken, Damage damage) : IExecutable, IDeviceBound
    {
        public Graph Graph => inner.Graph;

        public IDevice Device => device;

        public string Describe() => "broken: " + inner.Describe();

        public void Run(IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs)
        {
            inner.Run(inputs, outputs);
            if (!broken) return;
            foreach (var t in outputs.Values)
            {
                if (!t.Type.DType.IsFloat() || t.Type.Shape.ElementCount == 0) continue;
                var host = t.Download();
                var values = host.ToDoubles();
                values[0] = damage == Damage.NaN ? double.NaN : values[0] + 1 + Math.Abs(values[0]);
                host.SetFromDoubles(values);
                t.Upload(host.Data);
            }
        }

        public void Dispose() => inner.Dispose();
    }
}
