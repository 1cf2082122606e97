using Pixelfly.Devices;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

/// <summary>What one device produced for a case: last-step outputs, per-step losses, and the first check that failed.</summary>
internal sealed record DeviceRun(IReadOnlyDictionary<string, HostTensor> Outputs, IReadOnlyList<double> Losses, string? Failure);

/// <summary>A compile or run failure on one device, with the phase it happened in.</summary>
internal sealed class CaseExecutionException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Runs a case on one device the way the suite demands: inputs and outputs in guarded allocations, outputs poisoned
/// before every step, donated outputs fed back in place, and after every step the guard, written-element and
/// unchanged-input checks.
/// </summary>
internal static class CaseExecutor
{
    /// <summary>Guard band on each side of every tensor the suite allocates.</summary>
    public const int GuardBytes = 4096;

    public static DeviceRun Run(IDevice device, ConformanceCase c, IReadOnlyDictionary<string, HostTensor> initialInputs)
    {
        var graph = c.Graph;
        IExecutable exe;
        try
        {
            exe = device.Compile(graph);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CaseExecutionException($"compile failed: {e.GetType().Name}: {e.Message}", e);
        }
        var owned = new List<IDeviceTensor>();
        try
        {
            var inputs = new Dictionary<string, IDeviceTensor>();
            var lastUploaded = new Dictionary<string, byte[]>();
            foreach (var v in graph.Bindable)
            {
                var t = device.Allocate(v.Type, GuardBytes);
                owned.Add(t);
                var data = initialInputs[v.Name].Data;
                t.Upload(data);
                inputs[v.Name] = t;
                lastUploaded[v.Name] = data;
            }
            var donated = graph.Outputs.Where(o => o.Donates is not null).Select(o => o.Donates!).ToHashSet();
            var outputs = new Dictionary<string, IDeviceTensor>();
            foreach (var o in graph.Outputs)
            {
                if (o.Donates is not null) { outputs[o.Name] = inputs[o.Donates]; continue; }
                var t = device.Allocate(graph.Values[o.Value].Type, GuardBytes);
                owned.Add(t);
                outputs[o.Name] = t;
            }

            var losses = new List<double>();
            Dictionary<string, HostTensor> results = [];
            for (int step = 0; step < c.Steps; step++)
            {
                foreach (var spec in c.Inputs.Where(s => s.VariesPerStep))
                {
                    var data = spec.Generate(inputs[spec.Name].Type, step).Data;
                    inputs[spec.Name].Upload(data);
                    lastUploaded[spec.Name] = data;
                }
                foreach (var o in graph.Outputs.Where(o => o.Donates is null))
                    outputs[o.Name].Upload(Poison.Fill(outputs[o.Name].Type));
                try
                {
                    exe.Run(inputs, outputs);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    string at = c.Steps > 1 ? $" at step {step + 1}" : "";
                    throw new CaseExecutionException($"run failed{at}: {e.GetType().Name}: {e.Message}", e);
                }

                string stepText = c.Steps > 1 ? $"step {step + 1}: " : "";
                results = outputs.ToDictionary(kv => kv.Key, kv => kv.Value.Download());
                string? failure = CheckGuards(inputs, outputs) ?? CheckWritten(graph, results) ?? CheckInputsUnchanged(inputs, lastUploaded, donated);
                if (failure is not null)
                    return new DeviceRun(results, losses, stepText + failure);
                if (c.Steps > 1)
                    losses.Add(results[ConformanceCase.LossOutput].ToDoubles()[0]);
            }
            return new DeviceRun(results, losses, null);
        }
        finally
        {
            foreach (var t in owned) t.Dispose();
            exe.Dispose();
        }
    }

    private static string? CheckGuards(Dictionary<string, IDeviceTensor> inputs, Dictionary<string, IDeviceTensor> outputs)
    {
        foreach (var (name, t) in outputs)
            if (!t.GuardsIntact())
                return $"output '{name}' {t.Type}: a guard band was overwritten (a write outside the tensor{(t.Type.Shape.Rank >= 3 ? ", e.g. outside the sparse layout's blocks" : "")})";
        foreach (var (name, t) in inputs)
            if (!t.GuardsIntact())
                return $"input '{name}' {t.Type}: a guard band was overwritten (a write outside the tensor)";
        return null;
    }

    private static string? CheckWritten(Pixelfly.Ir.Graph graph, Dictionary<string, HostTensor> results)
    {
        foreach (var o in graph.Outputs.Where(o => o.Donates is null))
        {
            var t = results[o.Name];
            int first = Poison.FirstPoisoned(t.Type.DType, t.Data);
            if (first >= 0)
            {
                int count = CountPoisoned(t);
                return $"output '{o.Name}' {t.Type}: element {first} {Index(t.Type.Shape, first)} was not written (still holds the poison pattern; {count} of {t.ElementCount} unwritten)";
            }
        }
        return null;
    }

    private static string? CheckInputsUnchanged(Dictionary<string, IDeviceTensor> inputs, Dictionary<string, byte[]> lastUploaded, HashSet<string> donated)
    {
        foreach (var (name, t) in inputs)
        {
            if (donated.Contains(name)) continue;
            var now = t.Download();
            if (!now.Data.AsSpan().SequenceEqual(lastUploaded[name]))
            {
                int size = t.Type.DType.SizeOf(), i = 0;
                while (now.Data.AsSpan(i * size, size).SequenceEqual(lastUploaded[name].AsSpan(i * size, size))) i++;
                return $"input '{name}' {t.Type} was modified by the run (first at element {i} {Index(t.Type.Shape, i)}); only donated inputs may change";
            }
        }
        return null;
    }

    private static int CountPoisoned(HostTensor t)
    {
        int size = t.Type.DType.SizeOf(), count = 0;
        for (int i = 0; i < t.ElementCount; i++)
            if (Poison.FirstPoisoned(t.Type.DType, t.Data.AsSpan(i * size, size)) == 0) count++;
        return count;
    }

    /// <summary>A flat index as a multi-dimensional one: "[2,0,5]".</summary>
    public static string Index(Shape shape, int flat)
    {
        if (shape.Rank == 0) return "[]";
        var idx = new int[shape.Rank];
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            int n = Math.Max(shape[d], 1);
            idx[d] = flat % n;
            flat /= n;
        }
        return "[" + string.Join(",", idx) + "]";
    }
}
