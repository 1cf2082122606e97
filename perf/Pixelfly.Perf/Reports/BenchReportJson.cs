using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pixelfly.Perf.Reports;

/// <summary>
/// The JSON form of a <see cref="BenchReport"/> (camelCase, every member written, nulls included). Reading is strict:
/// unknown or missing members, nulls where a value is required, a wrong format tag or version, and inconsistent
/// results are errors that name the file and the member.
/// </summary>
public static class BenchReportJson
{
    /// <summary>The format tag.</summary>
    public const string Format = "pixelfly.bench";

    /// <summary>
    /// The schema version this build writes. Version 2 added the conformance guard (status "conformance-failed",
    /// "conformance"), the clocks ("clock", "hostSamplesMs", "deviceSamplesMs") and traffic ("minimalBytes",
    /// "gbPerSecond", "percentOfBandwidth", the devices' "bandwidthGbPerSecond"); version 1 files still read.
    /// </summary>
    public const int Version = 2;

    /// <summary>The oldest schema version this build reads.</summary>
    public const int OldestReadableVersion = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>The report as indented JSON.</summary>
    public static string Serialize(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonSerializer.Serialize(report, Options);
    }

    /// <summary>Parses and checks a report; <paramref name="sourceName"/> starts every error message.</summary>
    public static BenchReport Deserialize(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        BenchReport? report;
        try
        {
            report = JsonSerializer.Deserialize<BenchReport>(json, Options);
        }
        catch (JsonException e)
        {
            string at = e.Path is { Length: > 0 } p ? $" at {p}" : "";
            throw new BenchFormatException($"{sourceName}: not a valid bench result file{at}: {FirstSentence(e.Message)}", e);
        }
        if (report is null)
            throw new BenchFormatException($"{sourceName}: not a valid bench result file: the JSON is null");
        Check(report, sourceName);
        return report;
    }

    /// <summary>Reads and checks a report file.</summary>
    public static BenchReport Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            throw new BenchFormatException($"'{path}' is a folder, not a bench result file");
        if (!File.Exists(path))
            throw new BenchFormatException($"bench result file '{path}' does not exist");
        return Deserialize(File.ReadAllText(path), path);
    }

    private static void Check(BenchReport r, string source)
    {
        void Fail(string what) => throw new BenchFormatException($"{source}: {what}");
        if (r.Format != Format)
            Fail($"\"format\" is '{r.Format}', expected '{Format}' (is this a bench result file written by `pixelfly bench --json`?)");
        if (r.Version < OldestReadableVersion || r.Version > Version)
            Fail($"schema version {r.Version} is not supported (this build reads versions {OldestReadableVersion} to {Version})");
        if (r.Devices.Count == 0)
            Fail("\"devices\" is empty");
        var ids = new HashSet<string>();
        foreach (var d in r.Devices)
            if (!ids.Add(d.Id)) Fail($"device '{d.Id}' is listed twice");
        var seen = new HashSet<(string, string)>();
        for (int i = 0; i < r.Results.Count; i++)
        {
            var c = r.Results[i];
            string where = $"results[{i}] ('{c.Name}' on '{c.Device}')";
            if (string.IsNullOrWhiteSpace(c.Name)) Fail($"results[{i}]: \"name\" is empty");
            if (!ids.Contains(c.Device)) Fail($"{where}: device '{c.Device}' is not in \"devices\"");
            if (!seen.Add((c.Device, c.Name))) Fail($"{where}: appears twice");
            if (c.Status is not (CaseReport.Ok or CaseReport.Skipped or CaseReport.Error or CaseReport.ConformanceFailed))
                Fail($"{where}: \"status\" is '{c.Status}', expected ok, skipped, error or {CaseReport.ConformanceFailed}");
            if (!(c.UsefulFlops > 0) || !(c.DenseFlops > 0)) Fail($"{where}: FLOP counts must be positive");
            if (!c.IsOk)
            {
                if (string.IsNullOrWhiteSpace(c.Reason)) Fail($"{where}: a {c.Status} result needs a \"reason\"");
                // No perf numbers for a case that failed conformance, not even in a hand-edited file.
                if (c.Status == CaseReport.ConformanceFailed && (c.MedianMs is not null || c.SamplesMs is not null || c.UsefulGflops is not null || c.GbPerSecond is not null))
                    Fail($"{where}: a {CaseReport.ConformanceFailed} result must carry no timing");
                continue;
            }
            if (c.Clock is not (null or Protocol.Measurement.HostClock or Protocol.Measurement.DeviceClock))
                Fail($"{where}: \"clock\" is '{c.Clock}', expected {Protocol.Measurement.HostClock} or {Protocol.Measurement.DeviceClock}");
            if (c.Clock == Protocol.Measurement.DeviceClock && c.DeviceSamplesMs is not { Count: > 0 })
                Fail($"{where}: a result on the device clock needs \"deviceSamplesMs\"");
            if (c.MedianMs is not > 0 || c.MinMs is not > 0 || c.MaxMs is not > 0 || c.P10Ms is null || c.P90Ms is null)
                Fail($"{where}: an ok result needs positive \"medianMs\", \"minMs\", \"maxMs\" and p10/p90");
            if (c.MinMs > c.MedianMs || c.MedianMs > c.MaxMs)
                Fail($"{where}: \"minMs\" <= \"medianMs\" <= \"maxMs\" does not hold");
            if (c.SamplesMs is not { Count: > 0 }) Fail($"{where}: an ok result needs \"samplesMs\"");
            foreach (var b in c.Baselines)
            {
                if (string.IsNullOrWhiteSpace(b.Name)) Fail($"{where}: a baseline has an empty \"name\"");
                if (!(b.MedianMs > 0)) Fail($"{where}: baseline '{b.Name}' needs a positive \"medianMs\"");
            }
        }
    }

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
