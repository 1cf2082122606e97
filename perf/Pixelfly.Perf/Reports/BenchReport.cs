using System.Text.Json.Serialization;
using Pixelfly.Perf.Protocol;

namespace Pixelfly.Perf.Reports;

/// <summary>
/// A bench run: provenance (machine, commit, settings, OpenBLAS, devices) and one result per device and case. Its
/// JSON form is what <c>--json</c> writes and <c>--compare</c> reads (<see cref="BenchReportJson"/>).
/// </summary>
/// <param name="Format">Always <see cref="BenchReportJson.Format"/>.</param>
/// <param name="Version">The schema version.</param>
/// <param name="CreatedUtc">When the run finished.</param>
/// <param name="Commit">The Pixelfly commit (PIXELFLY_COMMIT, else git, else "unknown").</param>
/// <param name="Selection">What was run: "suite cpu-headline", "cases a,b", a case file.</param>
/// <param name="Machine">CPU model, cores, OS, .NET.</param>
/// <param name="Settings">The timing protocol's settings.</param>
/// <param name="OpenBlas">The OpenBLAS baseline: loaded or why not, kernel family, threads, environment.</param>
/// <param name="Devices">The devices, with capabilities, thread count and measured peak.</param>
/// <param name="Results">One entry per device and case, in run order.</param>
public sealed record BenchReport(
    string Format,
    int Version,
    DateTimeOffset CreatedUtc,
    string Commit,
    string Selection,
    MachineInfo Machine,
    BenchSettings Settings,
    OpenBlasInfo OpenBlas,
    IReadOnlyList<DeviceReport> Devices,
    IReadOnlyList<CaseReport> Results);

/// <summary>The OpenBLAS baseline as this run saw it.</summary>
/// <param name="Available">Whether libopenblas.so.0 loaded.</param>
/// <param name="Library">The library name probed.</param>
/// <param name="CoreName">openblas_get_corename(): the kernel family ("Cooperlake", "SkylakeX", "Haswell").</param>
/// <param name="Threads">The thread count it was set to (that of the device measured last, normally all the same).</param>
/// <param name="Reason">Why it is not available; null when it is.</param>
/// <param name="Environment">OPENBLAS_* variables as the process saw them (null: unset). OPENBLAS_CORETYPE=Haswell
/// halves its speed on AVX-512 machines.</param>
/// <param name="Warning">Why the baseline is below OpenBLAS's best on this machine (non-AVX-512 kernels on AVX-512
/// hardware, OPENBLAS_L2_SIZE set), or null.</param>
public sealed record OpenBlasInfo(
    bool Available,
    string Library,
    string? CoreName,
    int? Threads,
    string? Reason,
    IReadOnlyDictionary<string, string?> Environment,
    string? Warning);

/// <summary>A device as benchmarked.</summary>
/// <param name="Id">Device id ("cpu").</param>
/// <param name="Backend">Backend name.</param>
/// <param name="Name">Device name (the CPU model for "cpu").</param>
/// <param name="Driver">Driver / runtime and kernel path.</param>
/// <param name="MemoryBytes">Device memory.</param>
/// <param name="Capabilities">Capability keys and values.</param>
/// <param name="Threads">Threads the device (and OpenBLAS next to it) used; null when not applicable.</param>
/// <param name="PeakGflops">Measured peak f32 GFLOP/s on <paramref name="Threads"/> threads; null when not measured (see
/// <paramref name="PeakNote"/>).</param>
/// <param name="PeakOneThreadGflops">The same loop on one thread: when <paramref name="PeakGflops"/> is well below
/// threads × this, other work was running on the machine.</param>
/// <param name="PeakNote">How the peak was measured, or why there is none.</param>
/// <param name="BandwidthGbPerSecond">Measured read bandwidth in GB/s (10^9 bytes) on <paramref name="Threads"/> threads; null when
/// not measured (see <paramref name="BandwidthNote"/>).</param>
/// <param name="BandwidthNote">How the bandwidth was measured, or why there is none.</param>
public sealed record DeviceReport(
    string Id,
    string Backend,
    string Name,
    string Driver,
    long MemoryBytes,
    IReadOnlyDictionary<string, string> Capabilities,
    int? Threads,
    double? PeakGflops,
    double? PeakOneThreadGflops,
    string PeakNote,
    double? BandwidthGbPerSecond = null,
    string? BandwidthNote = null)
{
    /// <summary>
    /// PeakGflops / (threads × PeakOneThreadGflops): near 1 on an idle machine; below <see cref="BusyEfficiency"/> the
    /// cores were shared with other work while the peak was measured. Null without both peaks.
    /// </summary>
    [JsonIgnore]
    public double? PeakScaling => PeakGflops is { } all && PeakOneThreadGflops is { } one && Threads is > 0 && one > 0 ? all / (Threads.Value * one) : null;

    /// <summary>Below this <see cref="PeakScaling"/> the machine counts as busy.</summary>
    public const double BusyEfficiency = 0.8;

    /// <summary>A warning when the peak loop did not scale over the threads (another process had the cores), else null.</summary>
    public string? BusyWarning() => PeakScaling is { } e && e < BusyEfficiency
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"device '{Id}': the FMA loop reached only {e * 100:0}% of {Threads} x its one-thread rate: other work was using the cores, so times are inflated (ratios are paired per trial and suffer less)")
        : null;
}

/// <summary>
/// One case on one device. When <see cref="Status"/> is "ok" every timing field is set; "skipped" (too big for the
/// device, unsupported op), "error" (the run failed) and "conformance-failed" (the device computed something the case
/// runs wrongly: <see cref="Conformance"/> says what) carry the <see cref="Reason"/> and no timings.
/// </summary>
/// <param name="Device">Device id.</param>
/// <param name="Name">The case id.</param>
/// <param name="Kind">forward, dx, dw, dense, layer or train.</param>
/// <param name="Suites">Suites the case belongs to.</param>
/// <param name="Description">One line for people.</param>
/// <param name="Status">"ok", "skipped", "error" or "conformance-failed".</param>
/// <param name="Reason">Why it was skipped or failed; null when ok.</param>
/// <param name="BlockSize">Block size b; null for dense cases.</param>
/// <param name="Density">Layout density; null for dense cases.</param>
/// <param name="UsefulFlops">FLOPs on stored values only.</param>
/// <param name="DenseFlops">FLOPs of the dense equivalent (2·M·N·K).</param>
/// <param name="DenseShape">The dense GEMM shape ("2048x2048x2048 tB"); null when none.</param>
/// <param name="CompileMs">Time of IDevice.Compile.</param>
/// <param name="RunsPerTrial">Repetitions per trial.</param>
/// <param name="WarmupRuns">Untimed runs before the trials.</param>
/// <param name="MedianMs">Median per-run time over the trials.</param>
/// <param name="MinMs">Fastest trial's per-run time.</param>
/// <param name="MaxMs">Slowest trial's per-run time.</param>
/// <param name="P10Ms">10th percentile.</param>
/// <param name="P90Ms">90th percentile.</param>
/// <param name="SamplesMs">Per-run time of every trial, in order.</param>
/// <param name="UsefulGflops">Useful FLOPs / median time.</param>
/// <param name="DenseEquivalentGflops">Dense FLOPs / median time.</param>
/// <param name="PercentOfPeak">Useful GFLOP/s as a percentage of the device's measured peak; null without a peak.</param>
/// <param name="RatioToDense">Time / our dense counterpart's time on the same device (paired per trial); null for
/// the dense case itself.</param>
/// <param name="RatioToOpenBlas">Time / OpenBLAS sgemm time at the dense shape (paired per trial); null without OpenBLAS.</param>
/// <param name="Baselines">The baselines timed interleaved with the case.</param>
/// <param name="Clock">Which clock the times (median, spread, samples, GFLOP/s) come from: "device" (the device's own
/// timestamps, <see cref="Pixelfly.Devices.IDeviceTimedExecutable"/>) or "host" (wall clock around the runs).</param>
/// <param name="HostSamplesMs">Per-run host wall time of every trial, whatever <paramref name="Clock"/> is.</param>
/// <param name="DeviceSamplesMs">Per-run device time of every trial; null without a device clock.</param>
/// <param name="MinimalBytes">Every input read once plus every output written once, in bytes: a floor on the traffic.</param>
/// <param name="GbPerSecond">Minimal bytes / median time, in GB/s (10^9 bytes).</param>
/// <param name="PercentOfBandwidth">GB/s as a percentage of the device's measured bandwidth; null without one.</param>
/// <param name="Conformance">The correctness check before timing; null in files written before the guard existed.</param>
public sealed record CaseReport(
    string Device,
    string Name,
    string Kind,
    IReadOnlyList<string> Suites,
    string Description,
    string Status,
    string? Reason,
    int? BlockSize,
    double? Density,
    double UsefulFlops,
    double DenseFlops,
    string? DenseShape,
    double? CompileMs,
    int? RunsPerTrial,
    int? WarmupRuns,
    double? MedianMs,
    double? MinMs,
    double? MaxMs,
    double? P10Ms,
    double? P90Ms,
    IReadOnlyList<double>? SamplesMs,
    double? UsefulGflops,
    double? DenseEquivalentGflops,
    double? PercentOfPeak,
    RatioStats? RatioToDense,
    RatioStats? RatioToOpenBlas,
    IReadOnlyList<BaselineReport> Baselines,
    string? Clock = null,
    IReadOnlyList<double>? HostSamplesMs = null,
    IReadOnlyList<double>? DeviceSamplesMs = null,
    double? MinimalBytes = null,
    double? GbPerSecond = null,
    double? PercentOfBandwidth = null,
    ConformanceCheck? Conformance = null)
{
    /// <summary>Status of a case that was timed.</summary>
    public const string Ok = "ok";

    /// <summary>Status of a case not run on the device (the reason says why).</summary>
    public const string Skipped = "skipped";

    /// <summary>Status of a case whose run failed.</summary>
    public const string Error = "error";

    /// <summary>Status of a case the device computes wrongly (conformance guard): it is never timed.</summary>
    public const string ConformanceFailed = "conformance-failed";

    /// <summary>True when the case was timed.</summary>
    [JsonIgnore]
    public bool IsOk => Status == Ok;
}

/// <summary>A baseline timed interleaved with a case.</summary>
/// <param name="Name">"dense" (our dense counterpart on the same device) or "openblas" (cblas_sgemm at the dense shape).</param>
/// <param name="Description">What exactly ran.</param>
/// <param name="RunsPerTrial">Repetitions per trial.</param>
/// <param name="MedianMs">Median per-run time.</param>
/// <param name="MinMs">Fastest trial.</param>
/// <param name="MaxMs">Slowest trial.</param>
/// <param name="P10Ms">10th percentile.</param>
/// <param name="P90Ms">90th percentile.</param>
/// <param name="SamplesMs">Per-run time of every trial.</param>
/// <param name="DenseGflops">The case's dense FLOPs / this baseline's median time.</param>
/// <param name="Clock">"device" or "host": the clock of its times (as <see cref="CaseReport.Clock"/>).</param>
public sealed record BaselineReport(
    string Name,
    string Description,
    int RunsPerTrial,
    double MedianMs,
    double MinMs,
    double MaxMs,
    double P10Ms,
    double P90Ms,
    IReadOnlyList<double> SamplesMs,
    double DenseGflops,
    string? Clock = null)
{
    /// <summary>Name of our dense counterpart on the same device.</summary>
    public const string Dense = "dense";

    /// <summary>Name of the OpenBLAS baseline.</summary>
    public const string OpenBlasSgemm = "openblas";
}
