using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

/// <summary>
/// One conformance case, one line of a corpus file: a graph, how to generate each of its inputs, how many steps to
/// run and how to judge the outputs. Multi-step (model-level) cases feed donated outputs back in place and compare
/// the scalar output "loss" at every step.
/// </summary>
/// <param name="Id">Unique id, path-like ("bsmm/dds/b32/butterfly/ta0-tb1"); manifests match it with globs.</param>
/// <param name="Tags">Free-form labels ("op:matmul", "bf16", "grad", "model").</param>
/// <param name="Class">Numeric or exact judging.</param>
/// <param name="Graph">The program under test (embedded in its IR JSON form).</param>
/// <param name="Inputs">One spec per graph input and parameter, in the graph's order.</param>
/// <param name="Steps">1 for op-level cases; N for model-level cases.</param>
/// <param name="Thresholds">An optional override of the default thresholds, with its reason.</param>
public sealed record ConformanceCase(
    string Id,
    IReadOnlyList<string> Tags,
    CaseClass Class,
    Graph Graph,
    IReadOnlyList<InputSpec> Inputs,
    int Steps = 1,
    ThresholdOverride? Thresholds = null)
{
    /// <summary>The name of the scalar output a multi-step case compares at every step.</summary>
    public const string LossOutput = "loss";

    /// <summary>The spec of one input.</summary>
    public InputSpec Input(string name) =>
        Inputs.FirstOrDefault(i => i.Name == name) ?? throw new KeyNotFoundException($"case '{Id}' has no input spec named '{name}'");

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless the case is complete and consistent: a valid id, one valid spec
    /// per bindable value, steps ≥ 1, a scalar float "loss" output when steps &gt; 1, and an override with a reason.
    /// </summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Id) || Id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '+' or '=')))
            throw new ArgumentException($"case id '{Id}' must be non-empty and use only ASCII letters, digits and / - _ + =");
        ArgumentNullException.ThrowIfNull(Graph);
        ArgumentNullException.ThrowIfNull(Inputs);
        ArgumentNullException.ThrowIfNull(Tags);
        var bindable = Graph.Bindable.ToDictionary(v => v.Name);
        var seen = new HashSet<string>();
        foreach (var spec in Inputs)
        {
            if (!seen.Add(spec.Name))
                throw new ArgumentException($"case '{Id}': input '{spec.Name}' has two specs");
            if (!bindable.TryGetValue(spec.Name, out var v))
                throw new ArgumentException($"case '{Id}': spec for '{spec.Name}', which is not an input or parameter of the graph");
            spec.Validate(v.Type);
        }
        var missing = bindable.Keys.Where(n => !seen.Contains(n)).ToArray();
        if (missing.Length > 0)
            throw new ArgumentException($"case '{Id}': no input spec for {string.Join(", ", missing.Select(m => $"'{m}'"))}");
        if (Steps < 1)
            throw new ArgumentException($"case '{Id}': steps must be at least 1, got {Steps}");
        if (Steps > 1)
        {
            var loss = Graph.Outputs.FirstOrDefault(o => o.Name == LossOutput)
                ?? throw new ArgumentException($"case '{Id}': a multi-step case needs an output named '{LossOutput}'");
            var t = Graph.Values[loss.Value].Type;
            if (t.Shape.Rank != 0 || !t.DType.IsFloat())
                throw new ArgumentException($"case '{Id}': output '{LossOutput}' must be a float scalar, got {t}");
        }
        if (Thresholds is { } o)
        {
            if (string.IsNullOrWhiteSpace(o.Reason))
                throw new ArgumentException($"case '{Id}': a threshold override needs a reason");
            foreach (var (name, value) in new[] { ("nmse", o.Nmse), ("max_rel_error", o.MaxRelError), ("loss_rel_tolerance", o.LossRelTolerance) })
                if (value is { } x && !(x >= 0 && double.IsFinite(x)))
                    throw new ArgumentException($"case '{Id}': threshold {name} must be a finite non-negative number, got {x}");
        }
    }
}
