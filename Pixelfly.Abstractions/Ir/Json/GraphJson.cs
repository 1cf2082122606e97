using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pixelfly.Tensors;

namespace Pixelfly.Ir.Json;

/// <summary>
/// The versioned JSON form of a <see cref="Graph"/> (docs/ir.md). Values are referenced by name; node output
/// types are not stored but inferred, so a loaded graph is validated exactly like a built one.
/// </summary>
public static class GraphJson
{
    /// <summary>The "format" tag of a graph file.</summary>
    public const string Format = "pixelfly.graph";

    /// <summary>The version this build writes and the newest it reads.</summary>
    public const int Version = 1;

    /// <summary>Serializes a graph (indented).</summary>
    public static string Serialize(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var root = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["inputs"] = Declarations(graph, ValueKind.Input),
            ["parameters"] = Declarations(graph, ValueKind.Parameter),
            ["constants"] = new JsonArray(graph.Values.Where(v => v.Kind == ValueKind.Constant).Select(v =>
            {
                var o = Declaration(v);
                o["data"] = ConstantData(graph.Constants[v.Id]);
                return (JsonNode)o;
            }).ToArray()),
        };
        var nodes = new JsonArray();
        foreach (var n in graph.Nodes)
        {
            var o = new JsonObject
            {
                ["op"] = n.Op.Name,
                ["inputs"] = new JsonArray(n.Inputs.Select(i => (JsonNode)JsonValue.Create(graph.Values[i].Name)).ToArray()),
                ["outputs"] = new JsonArray(n.Outputs.Select(i => (JsonNode)JsonValue.Create(graph.Values[i].Name)).ToArray()),
            };
            foreach (var (k, v) in OpRegistry.WriteAttributes(n.Op).ToArray())
                o[k] = v?.DeepClone();
            nodes.Add(o);
        }
        root["nodes"] = nodes;
        root["outputs"] = new JsonArray(graph.Outputs.Select(o =>
        {
            var j = new JsonObject { ["name"] = o.Name, ["value"] = graph.Values[o.Value].Name };
            if (o.Donates is not null) j["donates"] = o.Donates;
            return (JsonNode)j;
        }).ToArray());
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Reads a graph file.</summary>
    public static Graph Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GraphFormatException($"cannot read graph file '{path}': {e.Message}", e);
        }
        return Deserialize(text, path);
    }

    /// <summary>Parses and validates a graph; every problem is a <see cref="GraphFormatException"/>.</summary>
    public static Graph Deserialize(string json, string sourceName = "graph")
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false })?.AsObject()
                ?? throw new GraphFormatException($"{sourceName}: the document is null, expected a graph object");
        }
        catch (JsonException e)
        {
            throw new GraphFormatException($"{sourceName}: malformed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new GraphFormatException($"{sourceName}: expected a JSON object at the top level ({e.Message})", e);
        }

        string context = "header";
        try
        {
            var format = Required(root, "format").GetValue<string>();
            if (format != Format)
                throw new GraphFormatException($"{sourceName}: \"format\" is '{format}', expected '{Format}'");
            int version = Required(root, "version").GetValue<int>();
            if (version > Version)
                throw new GraphFormatException($"{sourceName}: graph format version {version} is newer than this build of Pixelfly supports ({Version}); upgrade Pixelfly");
            if (version < 1)
                throw new GraphFormatException($"{sourceName}: graph format version {version} is not valid");
            foreach (var key in root.Select(p => p.Key))
                if (key is not ("format" or "version" or "inputs" or "parameters" or "constants" or "nodes" or "outputs"))
                    throw new GraphFormatException($"{sourceName}: unknown top-level property '{key}'");
            // A section that is present but not an array would otherwise read as empty.
            foreach (var (key, value) in root)
                if (key is not ("format" or "version") && value is not JsonArray)
                    throw new GraphFormatException($"{sourceName}: \"{key}\" must be an array, got {value?.GetValueKind().ToString().ToLowerInvariant() ?? "null"}");

            var b = new GraphBuilder();
            foreach (var (d, i) in Items(root, "inputs").Select((d, i) => (d, i)))
            {
                context = $"inputs[{i}]";
                b.Input(Required(d, "name").GetValue<string>(), ReadType(d));
            }
            foreach (var (d, i) in Items(root, "parameters").Select((d, i) => (d, i)))
            {
                context = $"parameters[{i}]";
                b.Parameter(Required(d, "name").GetValue<string>(), ReadType(d));
            }
            foreach (var (d, i) in Items(root, "constants").Select((d, i) => (d, i)))
            {
                context = $"constants[{i}]";
                var type = ReadType(d);
                b.Constant(Required(d, "name").GetValue<string>(), ReadConstant(type, Required(d, "data")));
            }
            foreach (var (n, i) in Items(root, "nodes").Select((d, i) => (d, i)))
            {
                string opName = Required(n, "op").GetValue<string>();
                context = $"node {i} ({opName})";
                var attrs = new JsonObject();
                foreach (var (k, v) in n.AsObject())
                    if (k is not ("op" or "inputs" or "outputs"))
                        attrs[k] = v?.DeepClone();
                var op = OpRegistry.Read(opName, attrs);
                var inputs = Required(n, "inputs").AsArray().Select(x => Lookup(b, x!.GetValue<string>())).ToArray();
                var outputs = Required(n, "outputs").AsArray().Select(x => x!.GetValue<string>()).ToArray();
                b.Apply(op, inputs, outputs);
            }
            foreach (var (o, i) in Items(root, "outputs").Select((d, i) => (d, i)))
            {
                context = $"outputs[{i}]";
                b.Output(Required(o, "name").GetValue<string>(), Lookup(b, Required(o, "value").GetValue<string>()), o["donates"]?.GetValue<string>());
            }
            context = "graph";
            return b.Build();
        }
        catch (GraphFormatException) { throw; }
        catch (GraphValidationException e)
        {
            // The builder's node errors already start with "node i (op)"; do not say it twice.
            string where = e.Message.StartsWith(context + ":", StringComparison.Ordinal) ? "" : $"{context}: ";
            throw new GraphFormatException($"{sourceName}: {where}{e.Message}", e);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            throw new GraphFormatException($"{sourceName}: {context}: {FirstSentence(e.Message)}", e);
        }
    }

    private static JsonArray Declarations(Graph g, ValueKind kind) =>
        new(g.Values.Where(v => v.Kind == kind).Select(v => (JsonNode)Declaration(v)).ToArray());

    private static JsonObject Declaration(ValueInfo v) => new()
    {
        ["name"] = v.Name,
        ["dtype"] = v.Type.DType.Name(),
        ["shape"] = new JsonArray(v.Type.Shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
    };

    private static JsonArray ConstantData(HostTensor t) => t.Type.DType == DType.I32
        ? new JsonArray(t.ToDoubles().Select(x => (JsonNode)JsonValue.Create((int)x)).ToArray())
        : new JsonArray(t.ToDoubles().Select(x => (JsonNode)(double.IsFinite(x)
            ? JsonValue.Create(x)
            : JsonValue.Create(x.ToString(CultureInfo.InvariantCulture)))).ToArray());

    private static HostTensor ReadConstant(TensorType type, JsonNode data)
    {
        var arr = data.AsArray();
        if (arr.Count != type.Shape.ElementCount)
            throw new FormatException($"constant data has {arr.Count} values, {type} needs {type.Shape.ElementCount}");
        var values = arr.Select(x => x!.GetValueKind() == JsonValueKind.String
            ? double.Parse(x.GetValue<string>(), CultureInfo.InvariantCulture)
            : x.GetValue<double>()).ToArray();
        return HostTensor.FromDoubles(type, values);
    }

    private static TensorType ReadType(JsonNode d)
    {
        var dtype = DTypes.Parse(Required(d, "dtype").GetValue<string>());
        var dims = Required(d, "shape").AsArray().Select(x => x!.GetValue<int>()).ToArray();
        return new TensorType(dtype, new Shape(dims));
    }

    private static Value Lookup(GraphBuilder b, string name) =>
        b.Contains(name) ? b[name] : throw new KeyNotFoundException($"'{name}' is not defined before its use (values must be declared or produced by an earlier node)");

    private static JsonNode Required(JsonNode node, string key) =>
        node.AsObject()[key] ?? throw new FormatException($"missing required property \"{key}\"");

    private static IEnumerable<JsonNode> Items(JsonObject root, string key) =>
        root[key] is JsonArray a ? a.Select(x => x ?? throw new FormatException($"null entry in \"{key}\"")) : [];

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
