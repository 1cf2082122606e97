using System.Globalization;
using Pixelfly.Conformance;
using Pixelfly.Devices;
using Pixelfly.Perf.Baselines;
using Pixelfly.Perf.Cases;
using Pixelfly.Perf.Guard;
using Pixelfly.Perf.Peak;
using Pixelfly.Perf.Protocol;
using Pixelfly.Perf.Reports;

namespace Pixelfly.Perf;

/// <summary>
/// Runs perf cases on devices (DESIGN §7): per device, measure the peak and bandwidth once; per case, check that the
/// device computes it correctly (<see cref="Guard"/>), compile and warm up outside the timing, check the warmed-up
/// outputs for NaN/Inf, then time the case interleaved with its baselines (our dense counterpart on the same device
/// and, on the CPU, OpenBLAS sgemm at the dense shape) and derive the metrics. A case that fails a check gets the
/// status "conformance-failed" and no timing at all.
/// </summary>
/// <param name="settings">The protocol's settings.</param>
/// <param name="blas">OpenBLAS when it loaded, else null.</param>
/// <param name="blasReason">Why OpenBLAS is not available (when <paramref name="blas"/> is null).</param>
/// <param name="progress">Hears one line per device and per case as the run goes.</param>
public sealed class BenchRunner(BenchSettings settings, OpenBlas? blas, string? blasReason, Action<string>? progress = null)
{
    /// <summary>Environment variables that change OpenBLAS's kernels or threads; reported with every run.</summary>
    public static readonly string[] OpenBlasVariables = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OPENBLAS_THREAD_TIMEOUT", "OMP_NUM_THREADS"];

    /// <summary>Measures the peak of a device (CPU only); tests replace it to save time.</summary>
    public Func<DeviceReport, (double? Gflops, double? OneThreadGflops, string Note)> PeakProbe { get; init; } = MeasurePeak;

    /// <summary>Measures the read bandwidth of a device (CPU only); tests replace it to save time.</summary>
    public Func<DeviceReport, (double? GbPerSecond, string Note)> BandwidthProbe { get; init; } = MeasureBandwidth;

    /// <summary>
    /// Checks each case against the conformance corpus on its device before timing it; null only where correctness is
    /// known by construction (tests): every result then says "not-checked". `pixelfly bench` always sets one.
    /// </summary>
    public ConformanceGuard? Guard { get; init; }

    /// <summary>The timer; tests may replace it.</summary>
    public InterleavedTimer Timer { get; init; } = new(settings);

    /// <summary>Runs every case on every device, in that order; failures of single cases are results, not exceptions.</summary>
    public BenchReport Run(IReadOnlyList<IDevice> devices, IReadOnlyList<PerfCase> cases, string selection)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(cases);
        settings.Validate();
        if (devices.Count == 0) throw new ArgumentException("no device to benchmark");
        if (cases.Count == 0) throw new ArgumentException("no case to run");

        var deviceReports = new List<DeviceReport>();
        var results = new List<CaseReport>();
        int? blasThreads = null;
        foreach (var device in devices)
        {
            var info = device.Info;
            int? threads = info.Capabilities.TryGetValue("threads", out var t) && int.TryParse(t, CultureInfo.InvariantCulture, out int n) ? n : null;
            var report = new DeviceReport(info.Id, info.Backend, info.Name, info.Driver, info.MemoryBytes, info.Capabilities, threads, null, null, "");
            var (peak, one, note) = PeakProbe(report);
            var (bandwidth, bandwidthNote) = BandwidthProbe(report);
            report = report with { PeakGflops = peak, PeakOneThreadGflops = one, PeakNote = note, BandwidthGbPerSecond = bandwidth, BandwidthNote = bandwidthNote };
            deviceReports.Add(report);
            progress?.Invoke($"{info.Id}: {info.Name}; {threads?.ToString(CultureInfo.InvariantCulture) ?? "-"} thread(s); peak {(peak is { } p ? string.Create(CultureInfo.InvariantCulture, $"{p:0.0} GFLOP/s") : "n/a")} ({note}); " +
                $"read bandwidth {(bandwidth is { } bw ? string.Create(CultureInfo.InvariantCulture, $"{bw:0.0} GB/s") : "n/a")} ({bandwidthNote})");
            if (report.BusyWarning() is { } busy) progress?.Invoke("warning: " + busy);

            bool withBlas = blas is not null && info.Backend == "cpu";
            if (withBlas)
            {
                blas!.Threads = settings.Threads ?? threads ?? Environment.ProcessorCount;
                blasThreads = blas.Threads;
            }
            for (int i = 0; i < cases.Count; i++)
            {
                var r = RunCase(device, report, cases[i], withBlas ? blas : null);
                results.Add(r);
                progress?.Invoke($"[{i + 1}/{cases.Count}] {info.Id} {Describe(r)}");
            }
        }

        var env = OpenBlasVariables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        var openBlas = new OpenBlasInfo(blas is not null, OpenBlas.LibraryName, blas?.CoreName, blasThreads, blas is null ? blasReason ?? "not loaded" : null, env,
            blas?.KernelWarning());
        return new BenchReport(BenchReportJson.Format, BenchReportJson.Version, DateTimeOffset.UtcNow, Provenance.PixelflyCommit(), selection,
            MachineInfo.Current(), settings, openBlas, deviceReports, results);
    }

    private CaseReport RunCase(IDevice device, DeviceReport deviceReport, PerfCase c, OpenBlas? openBlas)
    {
        var skeleton = new CaseReport(device.Info.Id, c.Id, c.Kind.Name(), c.Suites, c.Description, CaseReport.Ok, null, c.BlockSize, c.Density,
            c.UsefulFlops, c.DenseFlops, c.DenseShape?.ToString(), null, null, null, null, null, null, null, null, null, null, null, null, null, null, [],
            MinimalBytes: c.Program.MinimalBytes);
        if (device.Info.Backend == "ref" && c.DenseFlops > settings.RefMaxDenseFlops)
            return skeleton with
            {
                Status = CaseReport.Skipped,
                Reason = string.Create(CultureInfo.InvariantCulture,
                    $"the reference device (a float64 interpreter) only runs cases up to {settings.RefMaxDenseFlops / 1e9:0.###} dense GFLOP; this one is {c.DenseFlops / 1e9:0.###} (use --suite smoke)"),
            };

        ConformanceCheck check;
        try
        {
            check = Guard?.Check(device, c) ?? ConformanceCheck.NotChecked("no conformance guard was configured for this run");
        }
        catch (Exception e) when (e is ExecutionException or BindingException or DeviceUnavailableException or InvalidOperationException or ArgumentException)
        {
            return skeleton with { Status = CaseReport.Error, Reason = $"the conformance guard could not run: {e.GetType().Name}: {e.Message}" };
        }
        skeleton = skeleton with { Conformance = check };
        if (check.Failed)
            return ConformanceFailed(skeleton, check);

        var works = new List<ITimedWork>();
        try
        {
            DeviceProgramWork candidate;
            try
            {
                candidate = new DeviceProgramWork("candidate", device, c.Program);
            }
            catch (UnsupportedOpException e)
            {
                return skeleton with { Status = CaseReport.Skipped, Reason = $"unsupported on {device.Info.Id}: {e.Message}" };
            }
            works.Add(candidate);
            if (c.DenseProgram is { } dense)
                works.Add(new DeviceProgramWork(BaselineReport.Dense, device, dense));
            if (openBlas is not null && c.DenseShape is { } shape)
                works.Add(new OpenBlasGemmWork(BaselineReport.OpenBlasSgemm, openBlas, shape, CaseGenerator.SeedFor(c.Id, "openblas")));

            // Start every case from a collected heap, so garbage from the previous one does not land in its trials.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            // The warmed-up candidate's outputs are the first thing a wrong kernel shows: NaN/Inf means no timing.
            var m = Timer.Measure(works, () =>
            {
                if (candidate.FirstNonFiniteOutput() is { } nonFinite) throw new OutputCheckFailed(nonFinite);
            });
            return Metrics(skeleton, c, deviceReport, candidate.CompileMs, m, openBlas);
        }
        catch (OutputCheckFailed e)
        {
            var failed = check with
            {
                Status = ConformanceCheck.FailedStatus,
                Failures = [.. check.Failures, $"{c.Id} (own outputs after warm-up): {e.Message}"],
            };
            return ConformanceFailed(skeleton with { Conformance = failed }, failed);
        }
        catch (Exception e) when (e is ExecutionException or BindingException or DeviceUnavailableException or UnsupportedOpException or InvalidOperationException or ArgumentException)
        {
            return skeleton with { Status = CaseReport.Error, Reason = $"{e.GetType().Name}: {e.Message}" };
        }
        finally
        {
            foreach (var w in works) w.Dispose();
        }
    }

    private static CaseReport Metrics(CaseReport skeleton, PerfCase c, DeviceReport device, double compileMs, IReadOnlyList<Measurement> m, OpenBlas? openBlas)
    {
        var candidate = m[0];
        var time = candidate.Time;
        double seconds = time.MedianMs / 1000;
        double useful = c.UsefulFlops / seconds / 1e9;
        var dense = m.FirstOrDefault(x => x.Name == BaselineReport.Dense);
        var blasM = m.FirstOrDefault(x => x.Name == BaselineReport.OpenBlasSgemm);
        var baselines = m.Skip(1).Select(b => new BaselineReport(
            b.Name,
            b.Name == BaselineReport.Dense
                ? $"{device.Id} dense counterpart" + (c.DenseShape is { } s ? $" (matmul {s})" : " (same computation with dense weights)")
                : $"OpenBLAS cblas_sgemm {c.DenseShape} ({openBlas?.CoreName}, {openBlas?.Threads} thread(s))",
            b.RunsPerTrial, b.Time.MedianMs, b.Time.MinMs, b.Time.MaxMs, b.Time.P10Ms, b.Time.P90Ms, b.Time.SamplesMs,
            c.DenseFlops / (b.Time.MedianMs / 1000) / 1e9, b.Clock)).ToArray();
        double bytes = c.Program.MinimalBytes;
        double gbPerSecond = bytes / seconds / 1e9;
        return skeleton with
        {
            CompileMs = compileMs,
            RunsPerTrial = candidate.RunsPerTrial,
            WarmupRuns = candidate.WarmupRuns,
            MedianMs = time.MedianMs,
            MinMs = time.MinMs,
            MaxMs = time.MaxMs,
            P10Ms = time.P10Ms,
            P90Ms = time.P90Ms,
            SamplesMs = time.SamplesMs,
            UsefulGflops = useful,
            DenseEquivalentGflops = c.DenseFlops / seconds / 1e9,
            PercentOfPeak = device.PeakGflops is { } peak ? 100 * useful / peak : null,
            RatioToDense = dense is null ? null : candidate.RatioTo(dense),
            RatioToOpenBlas = blasM is null ? null : candidate.RatioTo(blasM),
            Baselines = baselines,
            Clock = candidate.Clock,
            HostSamplesMs = candidate.HostTime.SamplesMs,
            DeviceSamplesMs = candidate.DeviceTime?.SamplesMs,
            MinimalBytes = bytes,
            GbPerSecond = gbPerSecond,
            PercentOfBandwidth = device.BandwidthGbPerSecond is { } bw ? 100 * gbPerSecond / bw : null,
        };
    }

    private static CaseReport ConformanceFailed(CaseReport skeleton, ConformanceCheck check) => skeleton with
    {
        Status = CaseReport.ConformanceFailed,
        Reason = $"conformance-failed: {string.Join(", ", check.Failures.Select(f => f[..Math.Max(0, f.IndexOf(" (", StringComparison.Ordinal))]))}; not timed. " +
            string.Join("; ", check.Failures),
    };

    // Thrown from the timer's after-warm-up hook: it ends the measurement before any trial.
    private sealed class OutputCheckFailed(string message) : Exception(message);

    private static string Describe(CaseReport r)
    {
        // A conformance failure's reason already starts with its status.
        if (r.Status == CaseReport.ConformanceFailed) return $"{r.Name}: {r.Reason}";
        if (!r.IsOk) return $"{r.Name}: {r.Status.ToUpperInvariant()}: {r.Reason}";
        var s = string.Create(CultureInfo.InvariantCulture, $"{r.Name}: {r.MedianMs:0.###} ms [{r.MinMs:0.###}-{r.MaxMs:0.###}], {r.UsefulGflops:0.#} useful GFLOP/s");
        if (r.RatioToDense is { } d) s += string.Create(CultureInfo.InvariantCulture, $", x{d.Median:0.###} of dense");
        if (r.RatioToOpenBlas is { } o) s += string.Create(CultureInfo.InvariantCulture, $", x{o.Median:0.###} of OpenBLAS");
        return s + string.Create(CultureInfo.InvariantCulture, $" (compile {r.CompileMs:0.#} ms, {r.RunsPerTrial} run(s)/trial)");
    }

    /// <summary>
    /// The CPU's read bandwidth over a buffer larger than its caches, on the device's thread count; other backends
    /// have none yet.
    /// </summary>
    public static (double? GbPerSecond, string Note) MeasureBandwidth(DeviceReport device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Backend == "ref")
            return (null, "none: the reference device is a float64 interpreter, not a compute device");
        if (device.Backend != "cpu")
            return (null, $"none: no bandwidth measurement for backend '{device.Backend}' yet");
        int threads = device.Threads ?? Environment.ProcessorCount;
        try
        {
            return (ReadBandwidth.MeasureGbPerSecond(threads), string.Create(CultureInfo.InvariantCulture,
                $"vector loads streaming a {ReadBandwidth.DefaultBytes >> 20} MiB buffer on {threads} thread(s), best of 3 passes"));
        }
        catch (OutOfMemoryException)
        {
            // A small machine still gets its bench, without the % of bandwidth.
            return (null, $"none: the {ReadBandwidth.DefaultBytes >> 20} MiB buffer could not be allocated");
        }
    }

    /// <summary>
    /// The CPU's FMA peak on the device's thread count and vector width, and on one thread (to see whether the cores
    /// were shared); other backends have none.
    /// </summary>
    public static (double? Gflops, double? OneThreadGflops, string Note) MeasurePeak(DeviceReport device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Backend == "ref")
            return (null, null, "none: the reference device is a float64 interpreter, not a compute device");
        if (device.Backend != "cpu")
            return (null, null, $"none: no peak measurement for backend '{device.Backend}' yet");
        int threads = device.Threads ?? Environment.ProcessorCount;
        int bits = device.Capabilities.TryGetValue("simd.width", out var w) && w == "512" ? 512 : 256;
        double one = FmaPeak.MeasureGflops(1, bits);
        double all = threads == 1 ? one : FmaPeak.MeasureGflops(threads, bits);
        return (all, one, string.Create(CultureInfo.InvariantCulture,
            $"FMA loop: 12 independent Vector{bits} chains per thread on {threads} thread(s), best of 3 rounds; 1 thread: {one:0.0}"));
    }
}
