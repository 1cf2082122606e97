using System.Diagnostics;
using System.Globalization;
using Pixelfly.Devices;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

/// <summary>
/// Runs cases on a device under test and on the reference, and judges the device (docs/conformance.md). Order per
/// case: the manifest's "unsupported" list, then <see cref="IDevice.Supports"/> for every node (any No makes the case
/// Unsupported, never Fail), then both runs with guarded, poisoned buffers, then the comparison. A manifest
/// "expected_failures" entry turns Fail/Error into ExpectedFailure and Pass into UnexpectedPass.
/// </summary>
public sealed class ConformanceRunner
{
    private readonly IDevice _device;
    private readonly IDevice _reference;
    private readonly DeviceManifest _manifest;
    private readonly bool _verifyExpectedFailures;

    /// <summary>Creates a runner for one device, judged against <paramref name="reference"/>.</summary>
    /// <param name="device">The device under test.</param>
    /// <param name="reference">The oracle (the "ref" device).</param>
    /// <param name="manifest">The device's manifest (see <see cref="DeviceManifest.ForBackend"/>).</param>
    /// <param name="verifyExpectedFailures">When true, an UnexpectedPass makes the report uncertified (stale manifest entries).</param>
    public ConformanceRunner(IDevice device, IDevice reference, DeviceManifest manifest, bool verifyExpectedFailures = false)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(manifest);
        _device = device;
        _reference = reference;
        _manifest = manifest;
        _verifyExpectedFailures = verifyExpectedFailures;
    }

    /// <summary>The SHA-256 of the corpus the cases come from, written into the certificate (default: the embedded corpus).</summary>
    public string? CorpusSha256 { get; init; }

    /// <summary>Runs one case and judges it.</summary>
    public CaseResult Run(ConformanceCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var clock = Stopwatch.StartNew();
        CaseResult Done(CaseStatus s, string? detail, IReadOnlyList<OutputMetrics>? outputs = null, IReadOnlyList<StepLoss>? curve = null) =>
            new(c.Id, s, outputs ?? [], curve, detail, clock.Elapsed.TotalMilliseconds);

        if (_manifest.FindUnsupported(c.Id) is { } unsupported)
            return Done(CaseStatus.Unsupported, $"manifest ({unsupported.Pattern}): {unsupported.Reason}");
        string? why, refWhy;
        try
        {
            why = FirstUnsupportedNode(_device, c);
            refWhy = FirstUnsupportedNode(_reference, c);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Done(CaseStatus.Error, $"Supports threw {e.GetType().Name}: {e.Message}");
        }
        if (why is not null)
            return Done(CaseStatus.Unsupported, why);
        if (refWhy is not null)
            return Done(CaseStatus.Error, $"the reference cannot run this case: {refWhy}");

        var expected = _manifest.FindExpectedFailure(c.Id);
        var diagnostics = _device as IDeviceDiagnostics;
        diagnostics?.TakeDiagnostics();   // what earlier work reported is not this case's
        var (status, detail, outputs, curve) = Judge(c);
        if (diagnostics?.TakeDiagnostics() is { Count: > 0 } messages && status is CaseStatus.Pass or CaseStatus.Fail)
            (status, detail) = (CaseStatus.Error, $"the device reported {messages.Count} diagnostic message(s) during the case, e.g. {messages[0]}" + (detail is null ? "" : $"; {detail}"));
        if (expected is not null)
        {
            if (status == CaseStatus.Pass)
                (status, detail) = (CaseStatus.UnexpectedPass, $"passed, but the manifest expects a failure ({expected.Pattern}): {expected.Reason}");
            else if (status is CaseStatus.Fail or CaseStatus.Error)
                (status, detail) = (CaseStatus.ExpectedFailure, $"expected failure ({expected.Reason}): {detail}");
        }
        return Done(status, detail, outputs, curve);
    }

    /// <summary>Runs every case in order, reporting each result as it completes, and builds the report.</summary>
    public ConformanceReport RunAll(IEnumerable<ConformanceCase> cases, Action<CaseResult>? onResult = null)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var results = new List<CaseResult>();
        foreach (var c in cases)
        {
            var r = Run(c);
            results.Add(r);
            onResult?.Invoke(r);
        }
        return new ConformanceReport(_device.Info, _reference.Info, results, _verifyExpectedFailures,
            CorpusSha256 ?? Corpus.DefaultCorpusSha256, Provenance.PixelflyCommit(), DateTimeOffset.UtcNow);
    }

    private (CaseStatus, string?, IReadOnlyList<OutputMetrics>, IReadOnlyList<StepLoss>?) Judge(ConformanceCase c)
    {
        Dictionary<string, HostTensor> inputs;
        try
        {
            inputs = c.Inputs.ToDictionary(s => s.Name, s => s.Generate(c.Graph.Value(s.Name).Type));
        }
        catch (ArgumentException e)
        {
            return (CaseStatus.Error, $"cannot generate inputs: {e.Message}", [], null);
        }

        DeviceRun expected;
        try
        {
            expected = CaseExecutor.Run(_reference, c, inputs);
        }
        catch (CaseExecutionException e)
        {
            return (CaseStatus.Error, $"reference {e.Message}", [], null);
        }
        if (expected.Failure is not null)
            return (CaseStatus.Error, $"the reference failed its own checks: {expected.Failure}", [], null);

        DeviceRun actual;
        try
        {
            actual = CaseExecutor.Run(_device, c, inputs);
        }
        catch (CaseExecutionException e)
        {
            return (CaseStatus.Error, e.Message, [], null);
        }
        if (actual.Failure is not null)
            return (CaseStatus.Fail, actual.Failure, [], null);
        return Compare(c, actual, expected);
    }

    private static (CaseStatus, string?, IReadOnlyList<OutputMetrics>, IReadOnlyList<StepLoss>?) Compare(ConformanceCase c, DeviceRun actual, DeviceRun expected)
    {
        var failures = new List<string>();
        var metrics = new List<OutputMetrics>();
        foreach (var o in c.Graph.Outputs)
        {
            var a = actual.Outputs[o.Name];
            var r = expected.Outputs[o.Name];
            var da = a.ToDoubles();
            var dr = r.ToDoubles();
            var shape = a.Type.Shape;
            int nonFinite = Metrics.FirstNonFiniteMismatch(da, dr);
            if (nonFinite >= 0)
                failures.Add($"output '{o.Name}': NaN/Inf parity differs at element {nonFinite} {CaseExecutor.Index(shape, nonFinite)}: device {Format(da[nonFinite])}, reference {Format(dr[nonFinite])}");

            double nmse = Metrics.Nmse(da, dr);
            var (maxRel, worst) = Metrics.MaxRelError(da, dr);
            var (mismatches, firstMismatch) = Metrics.ExactMismatches(da, dr);
            // A multi-step case is judged by its loss curve; its final state is reported, not thresholded.
            var thresholds = c.Steps > 1 ? null : Tolerances.For(c, a.Type.DType);
            metrics.Add(new OutputMetrics(o.Name, a.Type.DType, nmse, maxRel, worst, mismatches, thresholds));
            if (thresholds is null) continue;
            if (thresholds.IsExact)
            {
                if (mismatches > 0)
                    failures.Add($"output '{o.Name}': {mismatches} of {da.Length} elements differ from the reference (exact); first at {CaseExecutor.Index(shape, firstMismatch)}: device {Format(da[firstMismatch])}, reference {Format(dr[firstMismatch])}");
                continue;
            }
            if (!(nmse <= thresholds.Nmse))
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"output '{o.Name}' {a.Type}: NMSE {nmse:0.###e+0} > {thresholds.Nmse:0.###e+0}"));
            if (!(maxRel <= thresholds.MaxRelError))
                failures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"output '{o.Name}' {a.Type}: max relative error {maxRel:0.###e+0} > {thresholds.MaxRelError:0.###e+0} (worst at {CaseExecutor.Index(shape, worst)}: device {Format(da[worst])}, reference {Format(dr[worst])})"));
        }

        IReadOnlyList<StepLoss>? curve = null;
        if (c.Steps > 1)
        {
            double tol = Tolerances.LossTolerance(c);
            var steps = new List<StepLoss>();
            for (int s = 0; s < c.Steps; s++)
            {
                double d = actual.Losses[s], r = expected.Losses[s];
                double rel = Math.Abs(d - r) / (r == 0 ? 1 : Math.Abs(r));
                steps.Add(new StepLoss(s + 1, d, r, rel));
                if (!(rel <= tol) && failures.Count < 8)
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"loss at step {s + 1}: device {Format(d)}, reference {Format(r)}, relative error {rel:0.###e+0} > {tol:0.###e+0}"));
            }
            curve = steps;
        }
        return failures.Count == 0
            ? (CaseStatus.Pass, null, metrics, curve)
            : (CaseStatus.Fail, string.Join("; ", failures), metrics, curve);
    }

    private static string? FirstUnsupportedNode(IDevice device, ConformanceCase c)
    {
        foreach (var n in c.Graph.Nodes)
        {
            var types = n.Inputs.Select(i => c.Graph.Values[i].Type).ToArray();
            var s = device.Supports(n.Op, types);
            if (!s.IsSupported)
                return $"node {n.Index} ({n.Op.Name}, inputs {string.Join(", ", types.Select(t => t.ToString()))}): {s.Reason ?? "no reason given"}";
        }
        return null;
    }

    private static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
