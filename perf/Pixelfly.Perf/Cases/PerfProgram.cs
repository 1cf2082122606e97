using Pixelfly.Conformance;
using Pixelfly.Ir;

namespace Pixelfly.Perf.Cases;

/// <summary>
/// A graph and how to generate each of its inputs: the conformance vocabulary (<see cref="InputSpec"/>, SplitMix64
/// data), so a perf program is also a valid conformance case and any runtime can reproduce its inputs.
/// </summary>
/// <param name="Graph">The program timed.</param>
/// <param name="Inputs">One spec per graph input and parameter.</param>
public sealed record PerfProgram(Graph Graph, IReadOnlyList<InputSpec> Inputs)
{
    /// <summary>The program as a one-step numeric conformance case named <paramref name="id"/>.</summary>
    public ConformanceCase ToConformanceCase(string id, IReadOnlyList<string> tags) =>
        new(id, tags, CaseClass.Numeric, Graph, Inputs);

    /// <summary>
    /// The least traffic a run can cause, in bytes: every input and parameter read once and every output written once
    /// (an output that donates an input counts as written too). Intermediates are not counted: a fused kernel may keep
    /// them in registers or cache.
    /// </summary>
    public double MinimalBytes =>
        Graph.Bindable.Sum(v => (double)v.Type.ByteCount) + Graph.Outputs.Sum(o => (double)Graph.Values[o.Value].Type.ByteCount);

    /// <summary>Throws <see cref="ArgumentException"/> unless every bindable value has exactly one valid spec.</summary>
    public void Validate(string id) => ToConformanceCase(id, []).Validate();
}
