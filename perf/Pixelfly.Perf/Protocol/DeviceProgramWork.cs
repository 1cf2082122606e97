using System.Diagnostics;
using System.Globalization;
using Pixelfly.Devices;
using Pixelfly.Perf.Cases;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Protocol;

/// <summary>
/// A program compiled for a device with every input generated, uploaded and bound once, and every output allocated
/// once (donated outputs bound to their inputs' tensors): <see cref="Run"/> is exactly one <see cref="IExecutable.Run"/>.
/// When the compiled executable is an <see cref="IDeviceTimedExecutable"/>, each run's device time is read after it.
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

    /// <summary>True when the device times its runs itself (<see cref="IDeviceTimedExecutable"/>).</summary>
    public bool HasDeviceClock => _executable is IDeviceTimedExecutable;

    /// <inheritdoc/>
    public double? LastRunDeviceMs =>
        // A zero, negative or non-finite reading is an unusable timer, not a fast kernel.
        _executable is IDeviceTimedExecutable timed && timed.LastRunDeviceMilliseconds is { } ms && ms > 0 && double.IsFinite(ms) ? ms : null;

    /// <inheritdoc/>
    public void Run() => _executable.Run(_inputs, _outputs);

    /// <summary>
    /// The first NaN or infinity in the float outputs of the last run ("output 'y' f32[64,128]: element 17 is NaN"),
    /// or null when every element is finite. Perf inputs are bounded, so a non-finite output is a wrong kernel.
    /// </summary>
    public string? FirstNonFiniteOutput()
    {
        foreach (var (name, tensor) in _outputs)
        {
            if (!tensor.Type.DType.IsFloat()) continue;
            var values = tensor.Download().ToDoubles();
            int i = Array.FindIndex(values, v => !double.IsFinite(v));
            if (i >= 0)
                return string.Create(CultureInfo.InvariantCulture, $"output '{name}' {tensor.Type}: element {i} is {values[i]}");
        }
        return null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _executable.Dispose();
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }
}
