using System.Text.Json;

namespace Pixelfly.Ir.Ops;

/// <summary>The JSON names of enum-parameterised ops (snake_case of the enum member).</summary>
internal static class OpNames
{
    public static string Of(UnaryFunction f) => JsonNamingPolicy.SnakeCaseLower.ConvertName(f.ToString());

    public static string Of(BinaryFunction f) => JsonNamingPolicy.SnakeCaseLower.ConvertName(f.ToString());

    public static string Of(ReduceKind k) => "reduce_" + JsonNamingPolicy.SnakeCaseLower.ConvertName(k.ToString());
}
