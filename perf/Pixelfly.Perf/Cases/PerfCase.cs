using Pixelfly.Conformance;

namespace Pixelfly.Perf.Cases;

/// <summary>
/// One perf case, as data: what is timed (<see cref="Program"/>), its dense counterpart on the same device
/// (<see cref="DenseProgram"/>), the dense shape an outside BLAS runs (<see cref="DenseShape"/>), and the FLOP counts
/// the metrics divide by.
/// </summary>
/// <param name="Id">Unique, path-like id ("linear-sparse/forward/2048x2048/t2048/b32-s32-f3").</param>
/// <param name="Suites">The named suites the case belongs to ("cpu-headline", "layers").</param>
/// <param name="Kind">What it measures.</param>
/// <param name="Description">One line for people.</param>
/// <param name="Program">The graph timed, with its input specs.</param>
/// <param name="DenseProgram">The same computation done densely on the same device; null when the case is itself the
/// device's dense reference (<see cref="PerfCaseKind.DenseGemm"/>).</param>
/// <param name="DenseShape">The dense GEMM of the same size, run by OpenBLAS on the CPU; null when the case has no
/// single-GEMM equivalent (a training step).</param>
/// <param name="UsefulFlops">FLOPs on stored values only: 2·M·nnz·b² for a block-sparse matmul.</param>
/// <param name="DenseFlops">FLOPs of the dense computation it replaces: 2·M·N·K for a matmul.</param>
/// <param name="BlockSize">The block size b of its layout; null for dense cases.</param>
/// <param name="Density">Stored fraction of its layout; null for dense cases.</param>
public sealed record PerfCase(
    string Id,
    IReadOnlyList<string> Suites,
    PerfCaseKind Kind,
    string Description,
    PerfProgram Program,
    PerfProgram? DenseProgram,
    GemmShape? DenseShape,
    double UsefulFlops,
    double DenseFlops,
    int? BlockSize = null,
    double? Density = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> unless the case is complete and consistent.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Id) || Id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '+' or '=' or '.')))
            throw new ArgumentException($"perf case id '{Id}' must be non-empty and use only ASCII letters, digits and / - _ + = .");
        if (Suites is null || Suites.Count == 0 || Suites.Any(s => string.IsNullOrWhiteSpace(s) || s.Any(char.IsWhiteSpace) || s.Contains(',')))
            throw new ArgumentException($"perf case '{Id}': needs at least one suite name, each without spaces or commas");
        if (!Enum.IsDefined(Kind))
            throw new ArgumentException($"perf case '{Id}': unknown kind {Kind}");
        ArgumentNullException.ThrowIfNull(Program);
        Program.Validate(Id);
        DenseProgram?.Validate(Id + "/dense");
        if (DenseProgram is null && Kind != PerfCaseKind.DenseGemm)
            throw new ArgumentException($"perf case '{Id}': only a dense GEMM case may have no dense program");
        DenseShape?.Validate();
        if (!(UsefulFlops > 0 && double.IsFinite(UsefulFlops)) || !(DenseFlops > 0 && double.IsFinite(DenseFlops)))
            throw new ArgumentException($"perf case '{Id}': FLOP counts must be positive and finite, got useful {UsefulFlops}, dense {DenseFlops}");
        if (BlockSize is <= 0)
            throw new ArgumentException($"perf case '{Id}': block size must be positive, got {BlockSize}");
        if (Density is { } d && !(d > 0 && d <= 1))
            throw new ArgumentException($"perf case '{Id}': density must be in (0, 1], got {d}");
    }

    /// <summary>True when the case belongs to the suite.</summary>
    public bool InSuite(string suite) => Suites.Contains(suite, StringComparer.Ordinal);

    /// <summary>The timed program as a conformance case (for checking its results against the reference).</summary>
    public ConformanceCase ToConformanceCase() => Program.ToConformanceCase(Id, ["perf", Kind.Name(), .. Suites.Select(s => "suite:" + s)]);
}
