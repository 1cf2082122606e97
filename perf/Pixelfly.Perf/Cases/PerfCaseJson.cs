using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pixelfly.Conformance;

namespace Pixelfly.Perf.Cases;

/// <summary>
/// The JSON-lines form of perf cases: one object per line with the perf metadata and the timed program (and its
/// dense counterpart) in the conformance case form (<see cref="CaseJson"/>), so input specs and graphs are read and
/// checked by the same code as the conformance corpus.
/// </summary>
public static class PerfCaseJson
{
    /// <summary>The format tag of every line.</summary>
    public const string Format = "pixelfly.perf-case";

    /// <summary>The current version of the form.</summary>
    public const int Version = 1;

    private static readonly string[] Keys =
        ["format", "version", "id", "suites", "kind", "description", "usefulFlops", "denseFlops", "blockSize", "density", "denseShape", "program", "denseProgram"];

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One case as a single line of JSON (no newline).</summary>
    public static string Serialize(PerfCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var o = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["id"] = c.Id,
            ["suites"] = new JsonArray(c.Suites.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
            ["kind"] = c.Kind.Name(),
            ["description"] = c.Description,
            ["usefulFlops"] = c.UsefulFlops,
            ["denseFlops"] = c.DenseFlops,
            ["blockSize"] = c.BlockSize,
            ["density"] = c.Density,
            ["denseShape"] = c.DenseShape is { } s
                ? new JsonObject { ["m"] = s.M, ["n"] = s.N, ["k"] = s.K, ["transA"] = s.TransA, ["transB"] = s.TransB }
                : null,
            ["program"] = JsonNode.Parse(CaseJson.Serialize(c.Program.ToConformanceCase(c.Id, []))),
            ["denseProgram"] = c.DenseProgram is { } d ? JsonNode.Parse(CaseJson.Serialize(d.ToConformanceCase(c.Id + "/dense", []))) : null,
        };
        return o.ToJsonString(Compact);
    }

    /// <summary>Cases as JSON lines (UTF-8, '\n' after every line).</summary>
    public static string ToJsonl(IEnumerable<PerfCase> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var sb = new StringBuilder();
        foreach (var c in cases) sb.Append(Serialize(c)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Reads and validates a JSON-lines case file (blank lines are skipped; ids must be unique).</summary>
    public static IReadOnlyList<PerfCase> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BenchFormatException($"perf case file '{path}' does not exist", e);
        }
        var cases = new List<PerfCase>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var c = Deserialize(lines[i], $"{path} line {i + 1}");
            if (cases.Any(x => x.Id == c.Id))
                throw new BenchFormatException($"{path} line {i + 1}: case id '{c.Id}' appears twice");
            cases.Add(c);
        }
        if (cases.Count == 0)
            throw new BenchFormatException($"perf case file '{path}' holds no cases");
        return cases;
    }

    /// <summary>Parses and validates one line; <paramref name="where"/> starts every error message.</summary>
    public static PerfCase Deserialize(string line, string where)
    {
        ArgumentNullException.ThrowIfNull(line);
        JsonObject o;
        try
        {
            o = JsonNode.Parse(line) as JsonObject ?? throw new BenchFormatException($"{where}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new BenchFormatException($"{where}: malformed JSON: {e.Message}", e);
        }
        string id = "?";
        try
        {
            foreach (var key in o.Select(p => p.Key))
                if (Array.IndexOf(Keys, key) < 0)
                    throw new FormatException($"unknown property '{key}' (expected {string.Join(", ", Keys)})");
            if (Required(o, "format").GetValue<string>() is var format && format != Format)
                throw new FormatException($"\"format\" is '{format}', expected '{Format}'");
            int version = Required(o, "version").GetValue<int>();
            if (version != Version)
                throw new FormatException($"version {version} is not supported (this build reads version {Version})");
            id = Required(o, "id").GetValue<string>();
            var suites = Required(o, "suites").AsArray().Select(s => s?.GetValue<string>() ?? throw new FormatException("a suite name is null")).ToArray();
            string kindName = Required(o, "kind").GetValue<string>();
            var kind = PerfCaseKinds.Parse(kindName)
                ?? throw new FormatException($"unknown kind '{kindName}' (expected {string.Join(", ", Enum.GetValues<PerfCaseKind>().Select(k => k.Name()))})");
            GemmShape? shape = null;
            if (o["denseShape"] is JsonObject s)
            {
                foreach (var key in s.Select(p => p.Key))
                    if (key is not ("m" or "n" or "k" or "transA" or "transB"))
                        throw new FormatException($"denseShape: unknown property '{key}'");
                shape = new GemmShape(Required(s, "m").GetValue<int>(), Required(s, "n").GetValue<int>(), Required(s, "k").GetValue<int>(),
                    s["transA"]?.GetValue<bool>() ?? false, s["transB"]?.GetValue<bool>() ?? false);
            }
            var c = new PerfCase(id, suites, kind,
                o["description"]?.GetValue<string>() ?? "",
                ReadProgram(Required(o, "program"), $"{where} (case '{id}') program"),
                o["denseProgram"] is JsonNode d ? ReadProgram(d, $"{where} (case '{id}') denseProgram") : null,
                shape,
                Required(o, "usefulFlops").GetValue<double>(),
                Required(o, "denseFlops").GetValue<double>(),
                o["blockSize"]?.GetValue<int>(),
                o["density"]?.GetValue<double>());
            c.Validate();
            return c;
        }
        catch (BenchFormatException) { throw; }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or JsonException)
        {
            throw new BenchFormatException($"{where} (case '{id}'): {e.Message}", e);
        }
    }

    private static PerfProgram ReadProgram(JsonNode node, string where)
    {
        try
        {
            var c = CaseJson.Deserialize(node.ToJsonString(), where);
            return new PerfProgram(c.Graph, c.Inputs);
        }
        catch (CorpusFormatException e)
        {
            throw new BenchFormatException(e.Message, e);
        }
    }

    private static JsonNode Required(JsonObject o, string key) =>
        o[key] ?? throw new FormatException($"missing required property \"{key}\"");
}
