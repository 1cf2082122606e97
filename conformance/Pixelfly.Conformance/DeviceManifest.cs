using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pixelfly.Conformance;

/// <summary>
/// What a backend declares about the corpus: cases it does not support (permanent, with a reason) and cases
/// expected to fail for now (temporary, with a reason). The file is conformance/manifests/manifest.&lt;backend&gt;.json,
/// embedded in this assembly: {"backend": "cpu", "unsupported": [{"pattern", "reason"}], "expected_failures": [...]}.
/// </summary>
public sealed record DeviceManifest(string Backend, IReadOnlyList<ManifestEntry> Unsupported, IReadOnlyList<ManifestEntry> ExpectedFailures)
{
    private const string ResourcePrefix = "Pixelfly.Conformance.manifests.manifest.";

    /// <summary>An empty manifest: everything is expected to pass.</summary>
    public static DeviceManifest Empty(string backend) => new(backend, [], []);

    /// <summary>The embedded manifest of a backend ("cpu", "vulkan"); a backend without a file gets an empty manifest.</summary>
    public static DeviceManifest ForBackend(string backendName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backendName);
        string resource = ResourcePrefix + backendName + ".json";
        using var s = typeof(DeviceManifest).Assembly.GetManifestResourceStream(resource);
        if (s is null) return Empty(backendName);
        using var reader = new StreamReader(s);
        var manifest = Parse(reader.ReadToEnd(), $"embedded manifest.{backendName}.json");
        if (manifest.Backend != backendName)
            throw new CorpusFormatException($"embedded manifest.{backendName}.json declares backend '{manifest.Backend}'");
        return manifest;
    }

    /// <summary>Reads a manifest file.</summary>
    public static DeviceManifest Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CorpusFormatException($"cannot read manifest '{path}': {e.Message}", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses a manifest; every problem is a <see cref="CorpusFormatException"/> naming the entry.</summary>
    public static DeviceManifest Parse(string json, string sourceName)
    {
        try
        {
            var o = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("expected a JSON object, got null");
            foreach (var key in o.Select(p => p.Key))
                if (key is not ("backend" or "unsupported" or "expected_failures"))
                    throw new FormatException($"unknown property '{key}' (expected backend, unsupported, expected_failures)");
            string backend = o["backend"]?.GetValue<string>() ?? throw new FormatException("missing required property \"backend\"");
            return new DeviceManifest(backend, Entries(o, "unsupported"), Entries(o, "expected_failures"));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new CorpusFormatException($"{sourceName}: {e.Message}", e);
        }
    }

    /// <summary>The first "unsupported" entry matching the case id, if any.</summary>
    public ManifestEntry? FindUnsupported(string caseId) => Unsupported.FirstOrDefault(e => e.Matches(caseId));

    /// <summary>The first "expected_failures" entry matching the case id, if any.</summary>
    public ManifestEntry? FindExpectedFailure(string caseId) => ExpectedFailures.FirstOrDefault(e => e.Matches(caseId));

    private static ManifestEntry[] Entries(JsonObject o, string key)
    {
        if (o[key] is null) return [];
        return o[key]!.AsArray().Select((n, i) =>
        {
            var e = n?.AsObject() ?? throw new FormatException($"{key}[{i}] is null");
            foreach (var k in e.Select(p => p.Key))
                if (k is not ("pattern" or "reason"))
                    throw new FormatException($"{key}[{i}]: unknown property '{k}' (expected pattern, reason)");
            string pattern = e["pattern"]?.GetValue<string>() ?? throw new FormatException($"{key}[{i}]: missing \"pattern\"");
            string reason = e["reason"]?.GetValue<string>() ?? "";
            if (string.IsNullOrWhiteSpace(pattern))
                throw new FormatException($"{key}[{i}]: the pattern is empty");
            if (string.IsNullOrWhiteSpace(reason))
                throw new FormatException($"{key}[{i}] ('{pattern}'): every entry needs a reason");
            return new ManifestEntry(pattern, reason);
        }).ToArray();
    }
}
