using System.Diagnostics;
using Pixelfly.Devices;
using Pixelfly.Perf.Cases;

namespace Pixelfly.Perf.Protocol;

/// <summary>
/// A program compiled for a device with every input generated, uploaded and bound once, and every output allocated
/// once (donated outputs bound to their inputs' tensors): <see cref="Run"/> is exactly one <see cref="IExecutable.Run"/>.
/// </summary>
public sealed class DeviceProgramWork : ITimedWork
{
    private readonly List<IDeviceTensor> _owned = [];
    private readonly IExecutable _executable;
    private readonly Dictionary<string, IDeviceTensor> _inputs = [];
    private readonly Dictionary<string, IDeviceTensor> _outputs = [];

    /// <summary>Generates the inputs, uploads them and compiles; throws what the device throws (e.g. unsupported op).</summary>
    public DeviceProgramWork(string name, IDevice device, PerfProgram program)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(program);
        Name = name;
        try
        {
            var graph = program.Graph;
            foreach (var v in graph.Bindable)
            {
                var spec = program.Inputs.FirstOrDefault(s => s.Name == v.Name)
                    ?? throw new ArgumentException($"program '{name}' has no input spec for '{v.Name}'");
                var t = device.Allocate(v.Type);
                _owned.Add(t);
                t.Upload(spec.Generate(v.Type).Data);
                _inputs[v.Name] = t;
            }
            foreach (var o in graph.Outputs)
            {
                if (o.Donates is not null) { _outputs[o.Name] = _inputs[o.Donates]; continue; }
                var t = device.Allocate(graph.Values[o.Value].Type);
                _owned.Add(t);
                _outputs[o.Name] = t;
            }
            var watch = Stopwatch.StartNew();
            _executable = device.Compile(graph);
            CompileMs = watch.Elapsed.TotalMilliseconds;
        }
        catch
        {
            foreach (var t in _owned) t.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Wall-clock time <see cref="IDevice.Compile"/> took.</summary>
    public double CompileMs { get; }

    /// <inheritdoc/>
    public void Run() => _executable.Run(_inputs, _outputs);

    /// <inheritdoc/>
    public void Dispose()
    {
        _executable.Dispose();
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }
}
