using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pixelfly.Perf.Baselines;

/// <summary>
/// Baseline timings measured outside the harness, in the same session on the same device: today the GPU machine's
/// PyTorch (scripts/gpu/torch_baselines.py) timing cuBLAS (<c>torch.matmul</c>) at each case's dense shape and torch's
/// BSR matmul on the case's layout. They were not interleaved with our trials, so ratios to them are ratios of medians.
/// The file is JSON: {"format": "pixelfly.external-baselines", "version": 1, "available", "reason", "source", "device",
/// "method", "results": [{"case", "baseline", "status", "medianMs", "minMs", "maxMs", "runs", "description", "reason"}]}.
/// Parsing goes through <see cref="JsonNode"/> (no reflection), and every problem is a <see cref="BenchFormatException"/>
/// naming the file and the entry.
/// </summary>
/// <param name="Available">False when the baselines could not be measured at all (no PyTorch, no GPU): then
/// <paramref name="Reason"/> says why and there are no results.</param>
/// <param name="Reason">Why nothing was measured; null when <paramref name="Available"/>.</param>
/// <param name="Source">What measured them ("torch 2.11.0+cu130, CUDA 13.0").</param>
/// <param name="Device">The device they ran on ("NVIDIA H100 80GB HBM3").</param>
/// <param name="Method">How they were timed ("CUDA events, 5 warm-up runs, median of 20").</param>
/// <param name="Results">One entry per case and baseline.</param>
public sealed record ExternalBaselines(bool Available, string? Reason, string Source, string Device, string Method, IReadOnlyList<ExternalTiming> Results)
{
    /// <summary>The format tag.</summary>
    public const string Format = "pixelfly.external-baselines";

    /// <summary>The schema version this build reads.</summary>
    public const int Version = 1;

    /// <summary>Baseline name of the dense bf16 <c>torch.matmul</c> (cuBLAS) at the case's dense shape.</summary>
    public const string Cublas = "cublas";

    /// <summary>Baseline name of torch's BSR matmul (<c>to_sparse_bsr</c>) on the case's own layout.</summary>
    public const string TorchBsr = "torch-bsr";

    private static readonly string[] TopKeys = ["format", "version", "available", "reason", "source", "device", "method", "results"];
    private static readonly string[] EntryKeys = ["case", "baseline", "status", "medianMs", "minMs", "maxMs", "runs", "description", "reason"];

    /// <summary>The timing of <paramref name="baseline"/> for case <paramref name="caseId"/>, or null when the file has none.</summary>
    public ExternalTiming? Find(string caseId, string baseline) =>
        Results.FirstOrDefault(r => r.Case == caseId && r.Baseline == baseline);

    /// <summary>Reads and checks a baselines file.</summary>
    public static ExternalBaselines Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            throw new BenchFormatException($"'{path}' is a folder, not an external baselines file");
        if (!File.Exists(path))
            throw new BenchFormatException($"external baselines file '{path}' does not exist");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and checks baselines JSON; <paramref name="sourceName"/> starts every error message.</summary>
    public static ExternalBaselines Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject o;
        try
        {
            o = JsonNode.Parse(json) as JsonObject ?? throw new BenchFormatException($"{sourceName}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new BenchFormatException($"{sourceName}: malformed JSON: {e.Message}", e);
        }
        string where = sourceName;
        try
        {
            Unknown(o, TopKeys);
            string format = Text(o, "format");
            if (format != Format)
                throw new FormatException($"\"format\" is '{format}', expected '{Format}' (written by scripts/gpu/torch_baselines.py)");
            int version = Required(o, "version").GetValue<int>();
            if (version != Version)
                throw new FormatException($"version {version} is not supported (this build reads version {Version})");
            bool available = Required(o, "available").GetValue<bool>();
            string? reason = OptionalText(o, "reason");
            var entries = Required(o, "results") as JsonArray ?? throw new FormatException("\"results\" must be an array");
            if (!available && string.IsNullOrWhiteSpace(reason))
                throw new FormatException("\"available\" is false but there is no \"reason\"");
            if (!available && entries.Count > 0)
                throw new FormatException("\"available\" is false but \"results\" is not empty");
            var results = new List<ExternalTiming>();
            for (int i = 0; i < entries.Count; i++)
            {
                where = $"{sourceName} results[{i}]";
                var t = Entry(entries[i] as JsonObject ?? throw new FormatException("expected an object"));
                where = $"{sourceName} results[{i}] ('{t.Baseline}' for '{t.Case}')";
                if (results.Any(r => r.Case == t.Case && r.Baseline == t.Baseline))
                    throw new FormatException("appears twice");
                results.Add(t);
            }
            where = sourceName;
            return new ExternalBaselines(available, available ? null : reason, OptionalText(o, "source") ?? "", OptionalText(o, "device") ?? "",
                OptionalText(o, "method") ?? "", results);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or JsonException)
        {
            throw new BenchFormatException($"{where}: {e.Message}", e);
        }
    }

    private static ExternalTiming Entry(JsonObject e)
    {
        Unknown(e, EntryKeys);
        string id = Text(e, "case"), baseline = Text(e, "baseline"), status = Text(e, "status");
        if (baseline is not (Cublas or TorchBsr))
            throw new FormatException($"\"baseline\" is '{baseline}', expected {Cublas} or {TorchBsr}");
        string description = OptionalText(e, "description") ?? "";
        string? reason = OptionalText(e, "reason");
        switch (status)
        {
            case ExternalTiming.Ok:
            {
                double median = Positive(e, "medianMs"), min = Positive(e, "minMs"), max = Positive(e, "maxMs");
                if (min > median || median > max)
                    throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"minMs <= medianMs <= maxMs does not hold ({min}, {median}, {max})"));
                int runs = Required(e, "runs").GetValue<int>();
                if (runs < 1) throw new FormatException($"\"runs\" must be at least 1, got {runs}");
                return new ExternalTiming(id, baseline, status, median, min, max, runs, description, null);
            }
            case ExternalTiming.Skipped or ExternalTiming.Error:
                if (string.IsNullOrWhiteSpace(reason))
                    throw new FormatException($"a {status} entry needs a \"reason\"");
                if (e["medianMs"] is not null)
                    throw new FormatException($"a {status} entry carries no \"medianMs\"");
                return new ExternalTiming(id, baseline, status, null, null, null, null, description, reason);
            default:
                throw new FormatException($"\"status\" is '{status}', expected {ExternalTiming.Ok}, {ExternalTiming.Skipped} or {ExternalTiming.Error}");
        }
    }

    private static void Unknown(JsonObject o, string[] keys)
    {
        foreach (var key in o.Select(p => p.Key))
            if (Array.IndexOf(keys, key) < 0)
                throw new FormatException($"unknown property '{key}' (expected {string.Join(", ", keys)})");
    }

    private static JsonNode Required(JsonObject o, string key) =>
        o[key] ?? throw new FormatException($"missing required property \"{key}\"");

    private static string Text(JsonObject o, string key)
    {
        string s = Required(o, key).GetValue<string>();
        return string.IsNullOrWhiteSpace(s) ? throw new FormatException($"\"{key}\" is empty") : s;
    }

    private static string? OptionalText(JsonObject o, string key) => o[key]?.GetValue<string>();

    private static double Positive(JsonObject o, string key)
    {
        double v = Required(o, key).GetValue<double>();
        return v > 0 && double.IsFinite(v) ? v : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"\"{key}\" must be positive and finite, got {v}"));
    }
}

/// <summary>One external baseline timing of one case (per-run milliseconds).</summary>
/// <param name="Case">The perf case id it belongs to.</param>
/// <param name="Baseline"><see cref="ExternalBaselines.Cublas"/> or <see cref="ExternalBaselines.TorchBsr"/>.</param>
/// <param name="Status"><see cref="Ok"/>, <see cref="Skipped"/> (does not exist there, e.g. no BSR kernel for this
/// mode) or <see cref="Error"/> (it raised).</param>
/// <param name="MedianMs">Median per-run time; null unless ok.</param>
/// <param name="MinMs">Fastest run; null unless ok.</param>
/// <param name="MaxMs">Slowest run; null unless ok.</param>
/// <param name="Runs">Timed runs; null unless ok.</param>
/// <param name="Description">What exactly ran.</param>
/// <param name="Reason">Why it was skipped or failed; null when ok.</param>
public sealed record ExternalTiming(string Case, string Baseline, string Status, double? MedianMs, double? MinMs, double? MaxMs, int? Runs,
    string Description, string? Reason)
{
    /// <summary>Status of a measured baseline.</summary>
    public const string Ok = "ok";

    /// <summary>Status of a baseline that does not exist for the case.</summary>
    public const string Skipped = "skipped";

    /// <summary>Status of a baseline whose run failed.</summary>
    public const string Error = "error";

    /// <summary>True when the baseline was measured.</summary>
    public bool IsOk => Status == Ok;
}
