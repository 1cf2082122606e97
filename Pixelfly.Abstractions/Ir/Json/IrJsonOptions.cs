using System.Text.Json;
using System.Text.Json.Serialization;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Ir.Json;

/// <summary>The serializer settings of the IR's JSON form: camelCase attributes, snake_case enums, strict reading.</summary>
public static class IrJsonOptions
{
    /// <summary>Shared, read-only options.</summary>
    public static JsonSerializerOptions Default { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectRequiredConstructorParameters = true,
            RespectNullableAnnotations = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        o.Converters.Add(new DTypeJsonConverter());
        o.Converters.Add(new BlockLayoutJsonConverter());
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}

/// <summary>DType as its short name ("f32").</summary>
public sealed class DTypeJsonConverter : JsonConverter<DType>
{
    /// <inheritdoc/>
    public override DType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"a dtype must be a string such as \"f32\", got {reader.TokenType}");
        var s = reader.GetString();
        return DTypes.TryParse(s, out var t) ? t : throw new JsonException($"unknown dtype '{s}'; expected f32, f16, bf16, i32 or f64");
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DType value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());
}

/// <summary>A layout as {rows, cols, block, rowPtr, colIdx}; reading validates it.</summary>
public sealed class BlockLayoutJsonConverter : JsonConverter<BlockLayout>
{
    private sealed record Dto(int Rows, int Cols, int Block, int[] RowPtr, int[] ColIdx);

    /// <inheritdoc/>
    public override BlockLayout Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var dto = JsonSerializer.Deserialize<Dto>(ref reader, options) ?? throw new JsonException("layout is null");
        try
        {
            return new BlockLayout(dto.Rows, dto.Cols, dto.Block, dto.RowPtr, dto.ColIdx);
        }
        catch (ArgumentException e)
        {
            throw new JsonException($"invalid layout: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, BlockLayout value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, new Dto(value.Rows, value.Cols, value.BlockSize, value.RowPtr.ToArray(), value.ColIdx.ToArray()), options);
}
