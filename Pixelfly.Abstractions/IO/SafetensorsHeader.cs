using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Pixelfly.Tensors;

namespace Pixelfly.IO;

/// <summary>One tensor as a safetensors header describes it: type and byte range [Begin, End) of the data section.</summary>
internal sealed record SafetensorsEntry(string Name, TensorType Type, long Begin, long End);

/// <summary>A validated header: entries sorted by offset (they tile the data section exactly) and metadata.</summary>
internal sealed record SafetensorsHeaderContents(
    IReadOnlyList<SafetensorsEntry> Entries,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>Parses and builds the JSON header of the safetensors format, enforcing every rule of the spec.</summary>
internal static class SafetensorsHeader
{
    /// <summary>Bytes of the little-endian u64 header-size prefix.</summary>
    public const int PrefixBytes = 8;

    /// <summary>The spec's cap on the header size (guards against allocating whatever a corrupt prefix says).</summary>
    public const ulong MaxHeaderBytes = 100_000_000;

    /// <summary>The reserved key holding string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    private const string SupportedList = "F32, F16, BF16, I32, F64";

    // Dtypes the spec defines but Pixelfly has no element type for: "unsupported" rather than "unknown".
    private static readonly HashSet<string> SpecOnlyDTypes =
    [
        "BOOL", "U8", "I8", "I16", "U16", "U32", "I64", "U64", "C64",
        "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2",
    ];

    /// <summary>The spec's name for a dtype.</summary>
    public static string SpecName(DType type) => type switch
    {
        DType.F32 => "F32",
        DType.F16 => "F16",
        DType.BF16 => "BF16",
        DType.I32 => "I32",
        DType.F64 => "F64",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "dtype has no safetensors name"),
    };

    private static bool TryParseSpecName(string name, out DType type)
    {
        switch (name)
        {
            case "F32": type = DType.F32; return true;
            case "F16": type = DType.F16; return true;
            case "BF16": type = DType.BF16; return true;
            case "I32": type = DType.I32; return true;
            case "F64": type = DType.F64; return true;
            default: type = default; return false;
        }
    }

    /// <summary>Checks the size prefix against the spec's cap and the total length; returns it as an int.</summary>
    public static int CheckHeaderSize(ulong headerSize, long totalLength, string source)
    {
        // A file that starts with '{' is most likely plain JSON given where safetensors was expected.
        string hint = (headerSize & 0xFF) == '{' ? "; the file starts with '{': it looks like JSON, not safetensors" : "";
        if (headerSize > MaxHeaderBytes)
            throw new SafetensorsFormatException(source,
                $"header size {headerSize} exceeds the format's limit of {MaxHeaderBytes} bytes (100 MB){hint}");
        if ((long)headerSize > totalLength - PrefixBytes)
            throw new SafetensorsFormatException(source,
                $"header size {headerSize} is larger than the file ({totalLength} bytes, {totalLength - PrefixBytes} after the size prefix)");
        return (int)headerSize;
    }

    /// <summary>Parses and validates a header against a data section of <paramref name="dataLength"/> bytes.</summary>
    public static SafetensorsHeaderContents Parse(ReadOnlySpan<byte> header, long dataLength, string source)
    {
        if (!Utf8.IsValid(header))
            throw new SafetensorsFormatException(source, "header is not valid UTF-8");
        if (header.IsEmpty || header[0] != (byte)'{')
            throw new SafetensorsFormatException(source, "header is not a JSON object (it must start with '{')");

        var entries = new List<SafetensorsEntry>();
        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        // Trailing JSON whitespace is allowed: writers pad the header with spaces for alignment.
        var reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                // JSON allows duplicate keys syntactically; here one would silently shadow another tensor.
                if (!keys.Add(name))
                    throw new SafetensorsFormatException(source, name == MetadataKey
                        ? $"duplicate \"{MetadataKey}\" key in the header"
                        : $"duplicate tensor name '{name}' in the header");
                reader.Read();
                if (name == MetadataKey)
                    metadata = ReadMetadata(ref reader, source);
                else
                    entries.Add(ReadEntry(ref reader, name, dataLength, source));
            }
            // Reaches the end, so trailing non-whitespace after the object throws here.
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(source, $"header is not valid JSON: {e.Message}", e);
        }

        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin)
            : a.End != b.End ? a.End.CompareTo(b.End) : string.CompareOrdinal(a.Name, b.Name));
        CheckTiling(entries, dataLength, source);
        return new SafetensorsHeaderContents(entries, metadata);
    }

    // The spec requires the data section to be fully indexed: sorted by offset, each tensor starts where the
    // previous one ended, the first at 0 and the last ending at the end of the data section.
    private static void CheckTiling(List<SafetensorsEntry> sorted, long dataLength, string source)
    {
        long cursor = 0;
        SafetensorsEntry? previous = null;
        foreach (var e in sorted)
        {
            if (e.Begin > cursor)
                throw new SafetensorsFormatException(source,
                    $"hole in the data section: bytes [{cursor}, {e.Begin}) before tensor '{e.Name}' are not covered by any tensor (the data section must be fully indexed)");
            if (e.Begin < cursor)
                throw new SafetensorsFormatException(source,
                    $"tensors '{previous!.Name}' [{previous.Begin}, {previous.End}) and '{e.Name}' [{e.Begin}, {e.End}) overlap");
            cursor = e.End;
            previous = e;
        }
        if (cursor != dataLength)
            throw new SafetensorsFormatException(source,
                $"hole in the data section: bytes [{cursor}, {dataLength}) at its end are not covered by any tensor (the data section must be fully indexed)");
    }

    private static Dictionary<string, string> ReadMetadata(ref Utf8JsonReader reader, string source)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafetensorsFormatException(source, $"\"{MetadataKey}\" must be a JSON object of strings, got {reader.TokenType}");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw new SafetensorsFormatException(source, $"metadata value for '{key}' must be a string, got {reader.TokenType}");
            if (!metadata.TryAdd(key, reader.GetString()!))
                throw new SafetensorsFormatException(source, $"duplicate metadata key '{key}'");
        }
        return metadata;
    }

    private static SafetensorsEntry ReadEntry(ref Utf8JsonReader reader, string name, long dataLength, string source)
    {
        string where = $"tensor '{name}'";
        if (name.Length == 0)
            throw new SafetensorsFormatException(source, "empty tensor name in the header");
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafetensorsFormatException(source, $"{where}: entry must be a JSON object, got {reader.TokenType}");

        string? dtypeName = null;
        List<long>? dims = null, offsets = null;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            if (!keys.Add(key))
                throw new SafetensorsFormatException(source, $"{where}: duplicate key \"{key}\"");
            reader.Read();
            switch (key)
            {
                case "dtype":
                    if (reader.TokenType != JsonTokenType.String)
                        throw new SafetensorsFormatException(source, $"{where}: \"dtype\" must be a string, got {reader.TokenType}");
                    dtypeName = reader.GetString()!;
                    break;
                case "shape":
                    dims = ReadIntegers(ref reader)
                        ?? throw new SafetensorsFormatException(source, $"{where}: \"shape\" must be an array of integers");
                    break;
                case "data_offsets":
                    offsets = ReadIntegers(ref reader)
                        ?? throw new SafetensorsFormatException(source, $"{where}: \"data_offsets\" must be [begin, end] with integer offsets");
                    break;
                default:
                    // Unknown keys are ignored, as the reference implementation does.
                    reader.Skip();
                    break;
            }
        }

        if (dtypeName is null) throw new SafetensorsFormatException(source, $"{where}: missing \"dtype\"");
        if (dims is null) throw new SafetensorsFormatException(source, $"{where}: missing \"shape\"");
        if (offsets is null) throw new SafetensorsFormatException(source, $"{where}: missing \"data_offsets\"");

        if (!TryParseSpecName(dtypeName, out var dtype))
            throw new SafetensorsFormatException(source, SpecOnlyDTypes.Contains(dtypeName)
                ? $"{where}: dtype '{dtypeName}' is not supported; supported dtypes are {SupportedList}"
                : $"{where}: unknown dtype '{dtypeName}'; supported dtypes are {SupportedList}");

        var shape = ToShape(dims, where, source);
        var type = new TensorType(dtype, shape);

        if (offsets.Count != 2)
            throw new SafetensorsFormatException(source, $"{where}: \"data_offsets\" must be [begin, end], got {offsets.Count} values");
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || end < 0)
            throw new SafetensorsFormatException(source, $"{where}: data_offsets [{begin}, {end}] must be non-negative");
        if (begin > end)
            throw new SafetensorsFormatException(source, $"{where}: data_offsets begin {begin} is greater than end {end}");
        if (end - begin != type.ByteCount)
            throw new SafetensorsFormatException(source,
                $"{where}: data_offsets [{begin}, {end}] span {end - begin} bytes but {type} needs {type.ByteCount} bytes");
        if (end > dataLength)
            throw new SafetensorsFormatException(source,
                $"{where}: data section is truncated: the tensor ends at byte {end} but the data section has only {dataLength} bytes");
        if (type.ByteCount > Array.MaxLength)
            throw new SafetensorsFormatException(source, $"{where}: {type.ByteCount} bytes exceed the largest array .NET can allocate");
        return new SafetensorsEntry(name, type, begin, end);
    }

    private static Shape ToShape(List<long> dims, string where, string source)
    {
        // Mirrors Shape's own checks so a bad file gives a format error, not an ArgumentException.
        long count = 1;
        var result = new int[dims.Count];
        for (int i = 0; i < dims.Count; i++)
        {
            long d = dims[i];
            if (d < 0)
                throw new SafetensorsFormatException(source, $"{where}: shape has negative dimension {d} at index {i}");
            count *= Math.Min(d, (long)int.MaxValue + 1);
            if (d > int.MaxValue || count > int.MaxValue)
                throw new SafetensorsFormatException(source,
                    $"{where}: shape [{string.Join(",", dims)}] has more than {int.MaxValue} elements");
            result[i] = (int)d;
        }
        return new Shape(result);
    }

    /// <summary>Reads an array of integers; null if the value is not an array or an element is not an integer.</summary>
    private static List<long>? ReadIntegers(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }
        var values = new List<long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long v))
                return null;
            values.Add(v);
        }
        return values;
    }

    /// <summary>
    /// Builds the header for tensors already in file order, laid out contiguously from offset 0, padded with
    /// spaces so the data section starts 8-byte aligned. Throws <see cref="ArgumentException"/> on bad names.
    /// </summary>
    public static byte[] Build(IReadOnlyList<KeyValuePair<string, HostTensor>> ordered, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // The header is never embedded in HTML, so only JSON-mandatory escaping is needed; names stay readable.
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    CheckEncodable(key, "metadata key");
                    ArgumentNullException.ThrowIfNull(value, $"metadata['{key}']");
                    CheckEncodable(value, $"metadata value for '{key}'");
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in ordered)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", SpecName(tensor.Type.DType));
                json.WriteStartArray("shape");
                foreach (int d in tensor.Type.Shape)
                    json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + tensor.Data.LongLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += tensor.Data.LongLength;
            }
            json.WriteEndObject();
        }
        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        if ((ulong)padded > MaxHeaderBytes)
            throw new ArgumentException($"the header would be {padded} bytes, over the format's limit of {MaxHeaderBytes}");
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    /// <summary>Checks a tensor name: non-empty, not reserved, valid UTF-16 (so it has a UTF-8 form).</summary>
    public static void CheckTensorName(string name)
    {
        if (string.IsNullOrEmpty(name))
            throw new ArgumentException("tensor names must be non-empty");
        if (name == MetadataKey)
            throw new ArgumentException($"\"{MetadataKey}\" is reserved for metadata and cannot name a tensor");
        CheckEncodable(name, "tensor name");
    }

    private static void CheckEncodable(string text, string what)
    {
        for (var rest = text.AsSpan(); !rest.IsEmpty;)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out int used) != OperationStatus.Done)
                throw new ArgumentException($"{what} '{text}' contains an unpaired surrogate and has no UTF-8 form");
            rest = rest[used..];
        }
    }
}
