using System.Text.Json;
using Pixelfly.Tensors;

namespace Pixelfly.Cli.Commands;

/// <summary>
/// Reads hand-written tensors: {"name": {"dtype": "f32", "shape": [2, 3], "data": [1, 2, 3, 4, 5, 6]}, ...}.
/// data is flat and row-major; float dtypes also take "NaN", "Infinity" and "-Infinity" as strings. Every
/// mistake is a <see cref="CliException"/> naming the file, the tensor and the rule.
/// </summary>
internal static class TensorJsonReader
{
    /// <summary>Parses the document; tensors keep the file's order.</summary>
    public static IReadOnlyDictionary<string, HostTensor> Parse(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new CliException($"{source}: malformed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CliException($"{source}: expected a JSON object mapping tensor names to {{\"dtype\", \"shape\", \"data\"}}, got {Kind(doc.RootElement)}");
            var tensors = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (tensors.ContainsKey(p.Name))
                    throw new CliException($"{source}: tensor '{p.Name}' is defined twice");
                if (p.Name.Length == 0)
                    throw new CliException($"{source}: a tensor name is empty");
                if (p.Name == "__metadata__")
                    throw new CliException($"{source}: \"__metadata__\" is reserved by the safetensors format and cannot name a tensor");
                tensors[p.Name] = ReadTensor(p.Value, $"{source}: tensor '{p.Name}'");
            }
            return tensors;
        }
    }

    private static HostTensor ReadTensor(JsonElement e, string where)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new CliException($"{where}: expected an object {{\"dtype\", \"shape\", \"data\"}}, got {Kind(e)}");
        JsonElement? dtypeEl = null, shapeEl = null, dataEl = null;
        foreach (var p in e.EnumerateObject())
        {
            switch (p.Name)
            {
                case "dtype" when dtypeEl is null: dtypeEl = p.Value; break;
                case "shape" when shapeEl is null: shapeEl = p.Value; break;
                case "data" when dataEl is null: dataEl = p.Value; break;
                case "dtype" or "shape" or "data": throw new CliException($"{where}: \"{p.Name}\" is given twice");
                default: throw new CliException($"{where}: unknown property \"{p.Name}\" (expected dtype, shape, data)");
            }
        }
        var dtype = ReadDType(dtypeEl ?? throw new CliException($"{where}: missing \"dtype\""), where);
        var shape = ReadShape(shapeEl ?? throw new CliException($"{where}: missing \"shape\""), where);
        var data = dataEl ?? throw new CliException($"{where}: missing \"data\"");
        var type = new TensorType(dtype, shape);
        if (data.ValueKind != JsonValueKind.Array)
            throw new CliException($"{where}: \"data\" must be a flat array of numbers, got {Kind(data)}");
        int count = data.GetArrayLength();
        if (count != shape.ElementCount)
            throw new CliException($"{where}: \"data\" has {count} values but shape {shape} needs {shape.ElementCount}");
        var values = new double[count];
        int i = 0;
        foreach (var x in data.EnumerateArray())
        {
            values[i] = ReadValue(x, dtype, $"{where}: data[{i}]");
            i++;
        }
        return HostTensor.FromDoubles(type, values);
    }

    private static DType ReadDType(JsonElement e, string where)
    {
        if (e.ValueKind != JsonValueKind.String)
            throw new CliException($"{where}: \"dtype\" must be a string such as \"f32\", got {Kind(e)}");
        return DTypes.TryParse(e.GetString(), out var t)
            ? t
            : throw new CliException($"{where}: unknown dtype '{e.GetString()}'; expected one of f32, f16, bf16, i32, f64");
    }

    private static Shape ReadShape(JsonElement e, string where)
    {
        if (e.ValueKind != JsonValueKind.Array)
            throw new CliException($"{where}: \"shape\" must be an array of non-negative integers, got {Kind(e)}");
        var dims = new List<int>();
        foreach (var d in e.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v < 0)
                throw new CliException($"{where}: \"shape\" must hold non-negative integers, got {d.GetRawText()} at index {dims.Count}");
            dims.Add(v);
        }
        try
        {
            return new Shape(dims.ToArray());
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"{where}: {ex.Message}", ex);
        }
    }

    private static double ReadValue(JsonElement x, DType dtype, string where)
    {
        if (dtype == DType.I32)
        {
            if (x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int n)) return n;
            throw new CliException($"{where}: an i32 tensor takes integers in [{int.MinValue}, {int.MaxValue}], got {x.GetRawText()}");
        }
        double v = x.ValueKind switch
        {
            JsonValueKind.Number => x.GetDouble(),
            JsonValueKind.String => x.GetString() switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => throw new CliException($"{where}: expected a number (or \"NaN\", \"Infinity\", \"-Infinity\"), got {x.GetRawText()}"),
            },
            _ => throw new CliException($"{where}: expected a number, got {x.GetRawText()} (data must be a flat array)"),
        };
        // A finite number the dtype cannot hold would silently become infinity.
        if (double.IsFinite(v) && !double.IsFinite(dtype.Round(v)))
            throw new CliException($"{where}: {x.GetRawText()} is outside the range of {dtype.Name()}");
        return v;
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();
}
