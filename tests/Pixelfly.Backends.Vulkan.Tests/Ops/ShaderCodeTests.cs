using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Vulkan.Tests.Ops;

/// <summary>The function codes the lowering passes agree with the constants elementwise.comp switches on.</summary>
public sealed partial class ShaderCodeTests
{
    [Test]
    public void EveryUnaryAndBinaryFunctionHasTheShadersCode()
    {
        var constants = ShaderConstants("elementwise.comp");
        foreach (var f in Enum.GetValues<UnaryFunction>())
            Assert.That(ElementwiseLowering.CodeOf(f), Is.EqualTo(constants[ShaderName(f.ToString())]), $"unary {f}");
        foreach (var f in Enum.GetValues<BinaryFunction>())
            Assert.That(ElementwiseLowering.CodeOf(f), Is.EqualTo(constants[ShaderName(f.ToString())]), $"binary {f}");
    }

    [Test]
    public void CastCodesMatchTheShader()
    {
        var constants = ShaderConstants("elementwise.comp");
        Assert.That(ElementwiseLowering.CastCode(Tensors.DType.F32, Tensors.DType.F16).Code, Is.EqualTo(constants["CAST_FLOAT"]));
        Assert.That(ElementwiseLowering.CastCode(Tensors.DType.I32, Tensors.DType.F32).Code, Is.EqualTo(constants["CAST_INT_TO_FLOAT"]));
        Assert.That(ElementwiseLowering.CastCode(Tensors.DType.F32, Tensors.DType.I32).Code, Is.EqualTo(constants["CAST_FLOAT_TO_INT"]));
        Assert.That(ElementwiseLowering.CastCode(Tensors.DType.I32, Tensors.DType.I32).Code, Is.EqualTo(constants["CAST_COPY"]));
    }

    // GeluGrad -> GELU_GRAD
    private static string ShaderName(string name) => UpperSnake().Replace(name, "$1_$2").ToUpperInvariant();

    // Every `NAME = 12u` in the shader's `const uint` declarations.
    private static Dictionary<string, uint> ShaderConstants(string shader)
    {
        string source = File.ReadAllText(Path.Combine(ShaderFolder(), shader));
        var result = new Dictionary<string, uint>();
        foreach (Match m in Constant().Matches(source)) result[m.Groups[1].Value] = uint.Parse(m.Groups[2].Value);
        Assert.That(result, Is.Not.Empty, $"no constants found in {shader}");
        return result;
    }

    private static string ShaderFolder([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", "..", "backends", "vulkan", "Shaders"));

    [GeneratedRegex(@"\b([A-Z][A-Z_]*) = (\d+)u\b")]
    private static partial Regex Constant();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex UpperSnake();
}
