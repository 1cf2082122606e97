using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>
/// The op shaders' names, the rounding codes they share (ROUND_* in Shaders/include/common.glsl), and the common
/// shape of their dispatches: specialization constant 0 is the workgroup size, one item per invocation or one
/// workgroup per item, grids folded by <see cref="Grid.For"/>.
/// </summary>
internal static class OpShaders
{
    public const string Elementwise = "elementwise";
    public const string Copy = "copy";
    public const string Fill = "fill";
    public const string Round = "round";
    public const string Convert = "convert";
    public const string Reduce = "reduce";
    public const string Rows = "rows";
    public const string Index = "index";
    public const string AdamW = "adamw";

    /// <summary>Invocations per workgroup for one-item-per-invocation shaders (every device allows 128).</summary>
    public static uint ElementGroupSize(LoweringLimits limits) => Math.Min(256u, limits.MaxWorkgroupInvocations);

    /// <summary>
    /// A power-of-two workgroup size for shaders that combine <paramref name="items"/> values in shared memory:
    /// large enough to keep the invocations busy, no larger than the work (at least 32, at most 256).
    /// </summary>
    public static uint TreeGroupSize(long items, LoweringLimits limits)
    {
        uint size = 32;
        while (size < items && size < 256) size *= 2;
        uint max = 1;
        while (max * 2 <= limits.MaxWorkgroupInvocations) max *= 2;
        return Math.Min(size, max);
    }

    /// <summary>The ROUND specialization value for results of <paramref name="dtype"/>: 1 f16, 2 bf16, else 0.</summary>
    public static uint RoundingOf(DType dtype) => dtype switch
    {
        DType.F16 => 1u,
        DType.BF16 => 2u,
        _ => 0u,
    };

    /// <summary>A dispatch with one invocation per item.</summary>
    public static Dispatch PerItem(string shader, uint[] specialization, byte[] push, BufferArg[] buffers, long items, LoweringLimits limits, string label)
    {
        var (x, y, z) = Grid.For(items, specialization[0], limits);
        return new Dispatch(shader, specialization, push, buffers, x, y, z, label);
    }

    /// <summary>A dispatch with one workgroup per item.</summary>
    public static Dispatch PerGroup(string shader, uint[] specialization, byte[] push, BufferArg[] buffers, long groups, LoweringLimits limits, string label)
    {
        var (x, y, z) = Grid.For(groups, 1, limits);
        return new Dispatch(shader, specialization, push, buffers, x, y, z, label);
    }

    /// <summary>Appends up to <paramref name="count"/> 32-bit fields, padding with zeros (fixed-size push arrays).</summary>
    public static PushConstants Fields(this PushConstants push, IReadOnlyList<long> values, int count)
    {
        for (int i = 0; i < count; i++) push.U(i < values.Count ? values[i] : 0);
        return push;
    }
}
