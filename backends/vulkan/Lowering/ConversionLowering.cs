using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>Dispatches of Shaders/convert.comp (bound f16/bf16 tensors in and out) and Shaders/round.comp.</summary>
internal static class ConversionLowering
{
    /// <summary>Packed f16/bf16 to f32 words: one invocation per element.</summary>
    public static Dispatch Import(BufferArg packed, BufferArg wide, DType dtype, long count, LoweringLimits limits) =>
        OpShaders.PerItem(OpShaders.Convert, [OpShaders.ElementGroupSize(limits), 0, IsBF16(dtype, "import")],
            new PushConstants().U(count).ToArray(), [packed, wide], count, limits, $"import {count} {dtype.Name()}");

    /// <summary>f32 words to packed f16/bf16: one invocation per packed word.</summary>
    public static Dispatch Export(BufferArg wide, BufferArg packed, DType dtype, long count, LoweringLimits limits) =>
        OpShaders.PerItem(OpShaders.Convert, [OpShaders.ElementGroupSize(limits), 1, IsBF16(dtype, "export")],
            new PushConstants().U(count).ToArray(), [packed, wide], (count + 1) / 2, limits, $"export {count} {dtype.Name()}");

    /// <summary>Rounds the first <paramref name="count"/> f32 words of <paramref name="values"/> in place to f16/bf16.</summary>
    public static Dispatch Round(BufferArg values, DType dtype, long count, LoweringLimits limits, string label)
    {
        IsBF16(dtype, "round");
        return OpShaders.PerItem(OpShaders.Round, [OpShaders.ElementGroupSize(limits), OpShaders.RoundingOf(dtype)],
            new PushConstants().U(count).ToArray(), [values], count, limits, label);
    }

    private static uint IsBF16(DType dtype, string what) => dtype switch
    {
        DType.F16 => 0,
        DType.BF16 => 1,
        _ => throw new ArgumentException($"{what}: only f16 and bf16 tensors are converted on the device, not {dtype.Name()}", nameof(dtype)),
    };
}
