using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pixelfly.Ir.Json;

namespace Pixelfly.Conformance;

/// <summary>
/// The JSON-lines form of a case: one compact object per line with keys in a fixed order (id, class, tags, steps,
/// thresholds, inputs, graph), so the generator's output is byte-for-byte reproducible.
/// </summary>
public static class CaseJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        // Reasons are prose with symbols such as '≤'; the corpus is not HTML, so keep them readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly string[] Keys = ["id", "class", "tags", "steps", "thresholds", "inputs", "graph"];

    /// <summary>One case as a single line of JSON (no newline).</summary>
    public static string Serialize(ConformanceCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("id", c.Id);
            w.WriteString("class", c.Class == CaseClass.Exact ? "exact" : "numeric");
            w.WriteStartArray("tags");
            foreach (var t in c.Tags) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteNumber("steps", c.Steps);
            if (c.Thresholds is { } o)
            {
                w.WriteStartObject("thresholds");
                if (o.Nmse is { } n) w.WriteNumber("nmse", n);
                if (o.MaxRelError is { } m) w.WriteNumber("max_rel_error", m);
                if (o.LossRelTolerance is { } l) w.WriteNumber("loss_rel_tolerance", l);
                w.WriteString("reason", o.Reason);
                w.WriteEndObject();
            }
            w.WriteStartArray("inputs");
            foreach (var s in c.Inputs) WriteSpec(w, s);
            w.WriteEndArray();
            w.WritePropertyName("graph");
            JsonNode.Parse(GraphJson.Serialize(c.Graph))!.WriteTo(w);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Parses and validates one line; <paramref name="where"/> (e.g. "cases.jsonl line 3") starts every error message.
    /// </summary>
    public static ConformanceCase Deserialize(string line, string where)
    {
        JsonObject o;
        try
        {
            o = JsonNode.Parse(line)?.AsObject() ?? throw new CorpusFormatException($"{where}: expected a JSON object, got null");
        }
        catch (JsonException e)
        {
            throw new CorpusFormatException($"{where}: malformed JSON at byte {e.BytePositionInLine + 1}: {FirstSentence(e.Message)}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new CorpusFormatException($"{where}: expected a JSON object ({e.Message})", e);
        }
        string id = "?";
        try
        {
            foreach (var key in o.Select(p => p.Key))
                if (Array.IndexOf(Keys, key) < 0)
                    throw new FormatException($"unknown property '{key}' (expected {string.Join(", ", Keys)})");
            id = Required(o, "id").GetValue<string>();
            var cls = Required(o, "class").GetValue<string>() switch
            {
                "numeric" => CaseClass.Numeric,
                "exact" => CaseClass.Exact,
                var s => throw new FormatException($"\"class\" is '{s}', expected 'numeric' or 'exact'"),
            };
            var tags = o["tags"] is JsonArray ta ? ta.Select(t => t!.GetValue<string>()).ToArray() : [];
            int steps = o["steps"]?.GetValue<int>() ?? 1;
            ThresholdOverride? thresholds = null;
            if (o["thresholds"] is JsonObject th)
            {
                foreach (var key in th.Select(p => p.Key))
                    if (key is not ("nmse" or "max_rel_error" or "loss_rel_tolerance" or "reason"))
                        throw new FormatException($"thresholds: unknown property '{key}'");
                thresholds = new ThresholdOverride(
                    th["nmse"]?.GetValue<double>(), th["max_rel_error"]?.GetValue<double>(), th["loss_rel_tolerance"]?.GetValue<double>(),
                    th["reason"]?.GetValue<string>() ?? throw new FormatException("thresholds: an override needs a \"reason\""));
            }
            var inputs = Required(o, "inputs").AsArray().Select((s, i) => ReadSpec(s ?? throw new FormatException($"inputs[{i}] is null"), i)).ToArray();
            var graph = GraphJson.Deserialize(Required(o, "graph").ToJsonString(), $"case '{id}' graph");
            var c = new ConformanceCase(id, tags, cls, graph, inputs, steps, thresholds);
            c.Validate();
            return c;
        }
        catch (CorpusFormatException) { throw; }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or JsonException or GraphFormatException)
        {
            throw new CorpusFormatException($"{where} (case '{id}'): {FirstSentence(e.Message)}", e);
        }
    }

    private static void WriteSpec(Utf8JsonWriter w, InputSpec s)
    {
        w.WriteStartObject();
        w.WriteString("name", s.Name);
        w.WriteString("kind", InputSpec.KindName(s.Kind));
        switch (s.Kind)
        {
            case InputKind.Uniform:
            case InputKind.SmallInt:
                w.WriteNumber("lo", s.Lo);
                w.WriteNumber("hi", s.Hi);
                w.WriteNumber("seed", s.Seed);
                break;
            case InputKind.Labels:
                w.WriteNumber("classes", s.Range);
                w.WriteNumber("seed", s.Seed);
                break;
            case InputKind.Indices:
                w.WriteNumber("rows", s.Range);
                w.WriteNumber("seed", s.Seed);
                break;
            case InputKind.Constant:
                w.WriteNumber("value", s.Value);
                break;
            case InputKind.Step:
                w.WriteNumber("start", s.Value);
                break;
        }
        w.WriteEndObject();
    }

    private static InputSpec ReadSpec(JsonNode node, int index)
    {
        var o = node.AsObject();
        string name = Required(o, "name").GetValue<string>();
        string kindName = Required(o, "kind").GetValue<string>();
        var kind = InputSpec.ParseKind(kindName)
            ?? throw new FormatException($"inputs[{index}] '{name}': unknown kind '{kindName}' (expected {string.Join(", ", Enum.GetValues<InputKind>().Select(InputSpec.KindName))})");
        string[] allowed = kind switch
        {
            InputKind.Uniform or InputKind.SmallInt => ["lo", "hi", "seed"],
            InputKind.Labels => ["classes", "seed"],
            InputKind.Indices => ["rows", "seed"],
            InputKind.Constant => ["value"],
            InputKind.Step => ["start"],
            _ => [],
        };
        foreach (var key in o.Select(p => p.Key))
            if (key is not ("name" or "kind") && Array.IndexOf(allowed, key) < 0)
                throw new FormatException($"inputs[{index}] '{name}': property '{key}' does not apply to kind '{kindName}'");
        double Num(string key) => Required(o, key, $"inputs[{index}] '{name}' ({kindName})").GetValue<double>();
        int Int(string key) => Required(o, key, $"inputs[{index}] '{name}' ({kindName})").GetValue<int>();
        long Seed() => Required(o, "seed", $"inputs[{index}] '{name}' ({kindName})").GetValue<long>();
        return kind switch
        {
            InputKind.Uniform => new InputSpec(name, kind, Lo: Num("lo"), Hi: Num("hi"), Seed: Seed()),
            InputKind.SmallInt => new InputSpec(name, kind, Lo: Num("lo"), Hi: Num("hi"), Seed: Seed()),
            InputKind.Labels => new InputSpec(name, kind, Range: Int("classes"), Seed: Seed()),
            InputKind.Indices => new InputSpec(name, kind, Range: Int("rows"), Seed: Seed()),
            InputKind.Constant => new InputSpec(name, kind, Value: Num("value")),
            InputKind.Step => new InputSpec(name, kind, Value: Num("start")),
            _ => new InputSpec(name, kind),
        };
    }

    private static JsonNode Required(JsonObject o, string key, string? context = null) =>
        o[key] ?? throw new FormatException($"{(context is null ? "" : context + ": ")}missing required property \"{key}\"");

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
