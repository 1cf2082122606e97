using System.Diagnostics;
using System.Globalization;
using Pixelfly.Conformance;
using Pixelfly.Devices;
using Pixelfly.Perf.Cases;
using Pixelfly.Perf.Reports;

namespace Pixelfly.Perf.Guard;

/// <summary>
/// "No perf numbers for a case that failed conformance" (DESIGN §7, issue 3). Before a case is timed on a device, the
/// guard runs, against the reference, the conformance corpus cases that exercise the same op signatures as the case's
/// program and its dense counterpart (<see cref="OpSignature"/>: op, sparse mode, transposes, block size, dtypes), at
/// most <see cref="CasesPerSignature"/> of the smallest per signature; each corpus case runs once per device and
/// guard, so a suite pays for each signature once (a fraction of a second). A case small enough for the reference
/// (dense FLOPs up to <see cref="SelfCheckMaxDenseFlops"/>; not a training step) is also run itself and compared. The bench runner adds
/// the last check, NaN/Inf in the case's own outputs after the warm-up.
/// </summary>
public sealed class ConformanceGuard
{
    /// <summary>Most corpus cases run per op signature (the ones with the fewest nodes, then by id).</summary>
    public const int CasesPerSignature = 3;

    private readonly IDevice _reference;
    private readonly Dictionary<OpSignature, ConformanceCase[]> _bySignature;
    // Per device instance (not id: a test may wrap a device under the same id), its runner and its results by case id.
    private readonly Dictionary<IDevice, (ConformanceRunner Runner, Dictionary<string, CaseResult> Results)> _devices = new(ReferenceEqualityComparer.Instance);
    private readonly Action<string>? _log;

    /// <summary>A guard judging devices against <paramref name="reference"/> with the cases of <paramref name="corpus"/>.</summary>
    /// <param name="reference">The oracle (the "ref" device); the guard does not own it.</param>
    /// <param name="corpus">Conformance cases to choose from (normally <see cref="Corpus.LoadDefault"/>).</param>
    /// <param name="log">Hears one line per device and case when corpus cases ran.</param>
    public ConformanceGuard(IDevice reference, IReadOnlyList<ConformanceCase> corpus, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(corpus);
        _reference = reference;
        _log = log;
        _bySignature = corpus
            .SelectMany(c => OpSignature.AllOf(c.Graph).Select(s => (Signature: s, Case: c)))
            .GroupBy(x => x.Signature)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Case).OrderBy(c => c.Graph.Nodes.Count * c.Steps).ThenBy(c => c.Id, StringComparer.Ordinal).ToArray());
    }

    /// <summary>Cases whose dense FLOPs are at most this also run themselves against the reference (a float64 interpreter).</summary>
    public double SelfCheckMaxDenseFlops { get; init; } = 5e7;

    /// <summary>
    /// The op signatures of a case (its program and its dense counterpart), and for each the corpus cases that would
    /// vouch for it, smallest first (at most <see cref="CasesPerSignature"/>); an empty list means no corpus case covers it.
    /// </summary>
    public IReadOnlyList<(OpSignature Signature, IReadOnlyList<ConformanceCase> Cases)> CoveringCases(PerfCase perfCase)
    {
        ArgumentNullException.ThrowIfNull(perfCase);
        var signatures = OpSignature.AllOf(perfCase.Program.Graph)
            .Concat(perfCase.DenseProgram is { } d ? OpSignature.AllOf(d.Graph) : [])
            .Distinct();
        return signatures
            .Select(s => (s, (IReadOnlyList<ConformanceCase>)(_bySignature.TryGetValue(s, out var cases) ? cases.Take(CasesPerSignature).ToArray() : [])))
            .ToArray();
    }

    /// <summary>
    /// Checks that <paramref name="device"/> computes what <paramref name="perfCase"/> runs correctly. The reference
    /// itself is not checked (it is the oracle). Corpus cases the device does not support vouch for nothing.
    /// </summary>
    public ConformanceCheck Check(IDevice device, PerfCase perfCase)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(perfCase);
        if (device.Info.Backend == _reference.Info.Backend)
            return ConformanceCheck.NotChecked($"'{device.Info.Id}' is the reference the conformance cases are judged against");

        var (runner, results) = ForDevice(device);
        var watch = Stopwatch.StartNew();
        int ran = 0;
        CaseResult Result(ConformanceCase c)
        {
            if (!results.TryGetValue(c.Id, out var r))
            {
                r = runner.Run(c);
                results[c.Id] = r;
                ran++;
            }
            return r;
        }

        var vouching = new List<string>();
        var failures = new List<string>();
        var uncovered = new List<string>();
        foreach (var (signature, cases) in CoveringCases(perfCase))
        {
            bool covered = false;
            foreach (var c in cases)
            {
                var r = Result(c);
                if (r.Status == CaseStatus.Unsupported) continue;
                covered = true;
                if (!vouching.Contains(c.Id)) vouching.Add(c.Id);
                if (IsFailure(r.Status) && !failures.Any(f => f.StartsWith(c.Id + " (", StringComparison.Ordinal)))
                    failures.Add($"{c.Id} ({CaseResult.Label(r.Status)}): {r.Detail}");
            }
            if (!covered) uncovered.Add(signature.Text);
        }

        // A training step is not compared as one op-level case: its updated optimizer state compounds the rounding of
        // the whole backward pass (Adam's v squares the gradient's error), which the per-op thresholds do not allow
        // for; the corpus judges training by loss curves instead, and its op signatures are checked above.
        bool self = perfCase.DenseFlops <= SelfCheckMaxDenseFlops && perfCase.Kind != PerfCaseKind.TrainingStep;
        if (self)
        {
            // The case's own program is unique to it: run every time, never cached.
            var r = runner.Run(perfCase.ToConformanceCase());
            ran++;
            if (IsFailure(r.Status)) failures.Add($"{perfCase.Id} itself ({CaseResult.Label(r.Status)}): {r.Detail}");
            else if (r.Status != CaseStatus.Unsupported) vouching.Add(perfCase.Id + " (itself)");
        }
        if (ran > 0)
            _log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"{device.Info.Id}: conformance guard for {perfCase.Id}: {ran} check(s) in {watch.Elapsed.TotalSeconds:0.00} s, {(failures.Count == 0 ? "all passed" : $"{failures.Count} FAILED")}"));

        string note = $"{vouching.Count} conformance case(s) against '{_reference.Info.Id}'" + (self ? ", the case itself included" : "") +
            (uncovered.Count > 0 ? $"; no corpus case covers {string.Join("; ", uncovered)}" : "");
        return new ConformanceCheck(failures.Count == 0 ? ConformanceCheck.PassedStatus : ConformanceCheck.FailedStatus, note, vouching, failures, uncovered);
    }

    // A known-wrong kernel (an expected failure) still computes wrong numbers: it vouches against timing too.
    private static bool IsFailure(CaseStatus s) => s is CaseStatus.Fail or CaseStatus.Error or CaseStatus.ExpectedFailure;

    private (ConformanceRunner Runner, Dictionary<string, CaseResult> Results) ForDevice(IDevice device)
    {
        if (!_devices.TryGetValue(device, out var entry))
        {
            entry = (new ConformanceRunner(device, _reference, DeviceManifest.ForBackend(device.Info.Backend)), []);
            _devices[device] = entry;
        }
        return entry;
    }
}
