using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pixelfly.Conformance;

/// <summary>Writes a <see cref="ConformanceReport"/> as the certificate JSON (snake_case keys, non-finite numbers as strings).</summary>
internal static class CertificateJson
{
    public const string Format = "pixelfly.conformance.certificate";

    public static string Write(ConformanceReport report)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("format_version", 1);
            w.WriteStartObject("device");
            w.WriteString("id", report.Device.Id);
            w.WriteString("name", report.Device.Name);
            w.WriteString("driver", report.Device.Driver);
            w.WriteString("backend", report.Device.Backend);
            w.WriteNumber("memory_bytes", report.Device.MemoryBytes);
            w.WriteStartObject("capabilities");
            foreach (var (k, v) in report.Device.Capabilities.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("reference");
            w.WriteString("id", report.Reference.Id);
            w.WriteString("name", report.Reference.Name);
            w.WriteString("driver", report.Reference.Driver);
            w.WriteEndObject();
            w.WriteString("pixelfly_commit", report.PixelflyCommit);
            w.WriteNumber("suite_version", report.SuiteVersion);
            w.WriteString("corpus_sha256", report.CorpusSha256);
            w.WriteString("timestamp", report.Timestamp.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteBoolean("verify_expected_failures", report.VerifyExpectedFailures);
            w.WriteStartObject("counts");
            foreach (var (status, n) in report.Counts)
                w.WriteNumber(StatusName(status), n);
            w.WriteEndObject();
            w.WriteBoolean("certified", report.Certified);
            w.WriteStartArray("results");
            foreach (var r in report.Results) WriteResult(w, r);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The status's snake_case name in the certificate ("expected_failure").</summary>
    public static string StatusName(CaseStatus s) => JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString());

    private static void WriteResult(Utf8JsonWriter w, CaseResult r)
    {
        w.WriteStartObject();
        w.WriteString("id", r.CaseId);
        w.WriteString("status", StatusName(r.Status));
        if (r.Detail is null) w.WriteNull("detail"); else w.WriteString("detail", r.Detail);
        w.WriteNumber("elapsed_ms", Math.Round(r.ElapsedMs, 3));
        w.WriteStartArray("outputs");
        foreach (var o in r.Outputs)
        {
            w.WriteStartObject();
            w.WriteString("name", o.Name);
            w.WriteString("dtype", Pixelfly.Tensors.DTypes.Name(o.DType));
            Number(w, "nmse", o.Nmse);
            Number(w, "max_rel_error", o.MaxRelError);
            w.WriteNumber("mismatches", o.Mismatches);
            if (o.Thresholds is { } t)
            {
                Number(w, "nmse_threshold", t.Nmse);
                Number(w, "max_rel_error_threshold", t.MaxRelError);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (r.LossCurve is { } curve)
        {
            w.WriteStartArray("loss_curve");
            foreach (var s in curve)
            {
                w.WriteStartObject();
                w.WriteNumber("step", s.Step);
                Number(w, "device", s.Device);
                Number(w, "reference", s.Reference);
                Number(w, "rel_error", s.RelError);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    // JSON has no NaN or Infinity; they are written as the strings "NaN", "Infinity", "-Infinity".
    private static void Number(Utf8JsonWriter w, string name, double x)
    {
        if (double.IsFinite(x)) w.WriteNumber(name, x);
        else w.WriteString(name, double.IsNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity");
    }
}
