using Pixelfly.Layouts;

namespace Pixelfly.Perf.Cases;

/// <summary>
/// The built-in perf cases and their suites: <c>cpu-headline</c> (issue 3's acceptance cases), <c>layers</c> (the
/// Pixelfly linear layer at transformer / MLP-Mixer MLP shapes over block sizes and densities, a whole layer and a
/// training step), <c>gpu-headline</c> (issue 6's acceptance cases, bf16 at GPU sizes) and <c>smoke</c> (tiny versions
/// of every kind, for tests and slow devices).
/// </summary>
public static partial class PerfCatalog
{
    /// <summary>The suite of issue 3: 2048² weights, batch 2048, S=32 F=3 (density 1/8), b = 16/32/64, plus GEMM 2048³.</summary>
    public const string CpuHeadline = "cpu-headline";

    /// <summary>Layers at GPT-2-small / ViT-B / Mixer MLP shapes (768↔3072), forward/dX/dW, a layer and a training step.</summary>
    public const string Layers = "layers";

    /// <summary>Tiny cases of every kind: seconds on any device, including the reference.</summary>
    public const string Smoke = "smoke";

    private static readonly Lazy<IReadOnlyList<PerfCase>> AllCases = new(Generate);

    /// <summary>The suite names with one line each.</summary>
    public static IReadOnlyList<(string Name, string Description)> Suites { get; } =
    [
        (CpuHeadline, "issue 3's acceptance cases: block-sparse forward/dX/dW at 2048x2048, batch 2048, S=32 F=3 (density 1/8), b=16/32/64, and dense GEMM 2048^3"),
        (Layers, "Pixelfly linear at 768<->3072 (GPT-2-small/ViT-B/Mixer MLPs), 1024 tokens: forward/dX/dW over b and density, whole layer, one training step"),
        (GpuHeadline, "issue 6's acceptance cases: bf16 block-sparse forward/dX/dW at 4096x4096 and 8192x8192, 8192 tokens, S=32 F=3 (density 1/8), b=16/32/64, and dense bf16 GEMM at the same shapes"),
        (Smoke, "tiny cases of every kind (seconds on any device, the reference included)"),
    ];

    /// <summary>Every built-in case, in a fixed order.</summary>
    public static IReadOnlyList<PerfCase> All => AllCases.Value;

    /// <summary>The cases of a suite; throws <see cref="ArgumentException"/> naming the known suites when unknown.</summary>
    public static IReadOnlyList<PerfCase> Suite(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Suites.Any(s => s.Name == name))
            throw new ArgumentException($"unknown suite '{name}'; suites: {string.Join(", ", Suites.Select(s => s.Name))} (`pixelfly bench --list` shows their cases)");
        return All.Where(c => c.InSuite(name)).ToArray();
    }

    /// <summary>
    /// Selects cases of <paramref name="cases"/> by a comma-separated list of ids or globs ('*' matches any run of
    /// characters); every entry must match at least one case, else <see cref="ArgumentException"/> names it and
    /// suggests similar ids.
    /// </summary>
    public static IReadOnlyList<PerfCase> Select(IReadOnlyList<PerfCase> cases, string selection, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(selection);
        var patterns = selection.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (patterns.Length == 0)
            throw new ArgumentException("the case selection is empty");
        var chosen = new List<PerfCase>();
        foreach (var pattern in patterns)
        {
            var matches = cases.Where(c => Glob.Matches(pattern, c.Id)).ToArray();
            if (matches.Length == 0)
                throw new ArgumentException(UnknownCase(pattern, cases, sourceName));
            chosen.AddRange(matches.Where(m => !chosen.Contains(m)));
        }
        return chosen;
    }

    private static string UnknownCase(string id, IReadOnlyList<PerfCase> cases, string sourceName)
    {
        var similar = cases
            .Select(c => (c.Id, Common: c.Id.Zip(id).TakeWhile(p => p.First == p.Second).Count()))
            .Where(x => x.Common > 0)
            .OrderByDescending(x => x.Common).ThenBy(x => x.Id, StringComparer.Ordinal)
            .Take(5).Select(x => x.Id).ToArray();
        string hint = similar.Length > 0 ? $"; similar ids: {string.Join(", ", similar)}" : "; `pixelfly bench --list` lists them";
        return $"no perf case '{id}' in {sourceName} ({cases.Count} cases){hint}";
    }

    private static IReadOnlyList<PerfCase> Generate()
    {
        var cases = new List<PerfCase>();
        AddHeadline(cases);
        AddLayers(cases);
        AddGpuHeadline(cases);
        AddSmoke(cases);
        // Shared cases are generated once per suite; merge them so each id appears once with all its suites.
        var merged = cases.GroupBy(c => c.Id).Select(g => g.First() with { Suites = g.SelectMany(c => c.Suites).Distinct().ToArray() }).ToArray();
        foreach (var c in merged) c.Validate();
        return merged;
    }

    private static void AddHeadline(List<PerfCase> cases)
    {
        const int size = 2048, tokens = 2048;
        foreach (int b in new[] { 16, 32, 64 })
            AddSparseLinear(cases, [CpuHeadline], tokens, BlockLayout.FlatBlockButterfly(size, size, b, 32, 3), $"b{b}-s32-f3");
        AddGemm(cases, [CpuHeadline], new GemmShape(size, size, size));
    }

    private static void AddLayers(List<PerfCase> cases)
    {
        const int tokens = 1024, d = 768, hidden = 3072, rank = 32;
        (int B, int S)[] layouts = [(32, 8), (32, 16), (32, 32), (16, 16), (64, 16)];
        foreach (var (outF, inF) in new[] { (hidden, d), (d, hidden) })
            foreach (var (b, s) in layouts)
                AddSparseLinear(cases, [Layers], tokens, BlockLayout.FlatBlockButterfly(outF, inF, b, s, 2), $"b{b}-s{s}-f2");
        foreach (var (outF, inF) in new[] { (hidden, d), (d, hidden) })
            AddLayer(cases, [Layers], tokens, BlockLayout.FlatBlockButterfly(outF, inF, 32, 16, 2), "b32-s16-f2", rank);
        AddTrainingStep(cases, [Layers], tokens, d, hidden, 32, 16, 2, rank);
    }

    private static void AddSmoke(List<PerfCase> cases)
    {
        const int tokens = 64, size = 128;
        AddSparseLinear(cases, [Smoke], tokens, BlockLayout.FlatBlockButterfly(size, size, 16, 8, 2), "b16-s8-f2");
        AddGemm(cases, [Smoke], new GemmShape(tokens, size, size));
        AddLayer(cases, [Smoke], tokens, BlockLayout.FlatBlockButterfly(size, size, 16, 4, 2), "b16-s4-f2", 4);
        AddTrainingStep(cases, [Smoke], tokens, 64, 128, 16, 8, 2, 4);
    }
}
