using System.Runtime.InteropServices;
using Pixelfly.Backends.Cpu;
using Pixelfly.Devices;
using Pixelfly.Ir;

namespace Pixelfly.Perf.Micro.Support;

/// <summary>
/// A graph compiled on its own CPU device, with every input bound to a tensor of uniform values in [-0.5, 0.5) and every
/// output to a tensor of its own: <see cref="Run"/> is one timed replay, nothing allocated.
/// </summary>
public sealed class CompiledGraph : IDisposable
{
    private readonly CpuDevice _device;
    private readonly IExecutable _executable;
    private readonly Dictionary<string, IDeviceTensor> _inputs = [];
    private readonly Dictionary<string, IDeviceTensor> _outputs = [];

    /// <summary>Compiles <paramref name="graph"/> on a CPU device with <paramref name="threads"/> workers.</summary>
    public CompiledGraph(Graph graph, int threads, bool vector512 = true)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var options = vector512 ? DeviceOptions.None : new DeviceOptions(new HashSet<string> { CpuFeatures.Avx512FeatureKey });
        _device = new CpuDevice(options, threads);
        _executable = _device.Compile(graph);
        var random = new Random(1);
        foreach (var v in graph.Bindable)
        {
            var data = new float[v.Type.Shape.ElementCount];
            for (int i = 0; i < data.Length; i++) data[i] = (float)random.NextDouble() - 0.5f;
            var tensor = _device.Allocate(v.Type);
            tensor.Upload(MemoryMarshal.AsBytes(data.AsSpan()));
            _inputs[v.Name] = tensor;
        }
        foreach (var o in graph.Outputs) _outputs[o.Name] = _device.Allocate(graph.Values[o.Value].Type);
    }

    /// <summary>Replays the executable once.</summary>
    public void Run() => _executable.Run(_inputs, _outputs);

    /// <summary>What the device compiled (kernels, blocking, memory plan).</summary>
    public string Describe() => _executable.Describe();

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in _inputs.Values.Concat(_outputs.Values)) t.Dispose();
        _executable.Dispose();
        _device.Dispose();
    }
}
