using Pixelfly.Devices.Lowering;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Lowering;

/// <summary>
/// The plain op kernels (Kernels/*.cu other than the matmul family): their compilation units, the codes and launch
/// shapes they share, and the helpers every op lowering uses to build launches. Each source is one variant with
/// no defines: dtypes and op codes are kernel arguments (the kernels are memory bound and the switches uniform).
/// </summary>
internal static class OpKernels
{
    /// <summary>Threads per block of every op kernel (PF_OPS_BLOCK in Kernels/ops.cuh).</summary>
    public const int Block = 256;

    /// <summary>Grid-stride launches use at most this many blocks per SM: enough resident threads to hide latency.</summary>
    public const int BlocksPerSm = 32;

    /// <summary>Unary, binary, where, cast and fill.</summary>
    public static KernelVariant Elementwise { get; } = KernelVariant.Of("elementwise.cu");

    /// <summary>Byte copies and strided copies (shape ops).</summary>
    public static KernelVariant Copy { get; } = KernelVariant.Of("copy.cu");

    /// <summary>reduce_sum / reduce_mean / reduce_max.</summary>
    public static KernelVariant Reduce { get; } = KernelVariant.Of("reduce.cu");

    /// <summary>softmax, log_softmax, layer_norm, cross_entropy.</summary>
    public static KernelVariant Rows { get; } = KernelVariant.Of("rows.cu");

    /// <summary>gather, one_hot, scatter_add and the index check.</summary>
    public static KernelVariant Index { get; } = KernelVariant.Of("index.cu");

    /// <summary>The fused AdamW update.</summary>
    public static KernelVariant AdamW { get; } = KernelVariant.Of("adamw.cu");

    /// <summary>Every op-kernel variant (independent of the device limits).</summary>
    public static IReadOnlyList<KernelVariant> All { get; } = [Elementwise, Copy, Reduce, Rows, Index, AdamW];

    /// <summary>The kernels' dtype code (PF_F32 … PF_I32 in Kernels/ops.cuh).</summary>
    public static int DTypeCode(DType dtype) => dtype switch
    {
        DType.F32 => 0,
        DType.F16 => 1,
        DType.BF16 => 2,
        DType.I32 => 3,
        _ => throw new NotSupportedException($"the CUDA backend does not hold {dtype.Name()} tensors (f64 is for the reference backend)"),
    };

    /// <summary>Bytes per element of a dtype the kernels hold (native storage: 2 or 4).</summary>
    public static int ElementSize(DType dtype)
    {
        DTypeCode(dtype); // refuses f64
        return dtype.SizeOf();
    }

    /// <summary>"node 3 (add)": the label every launch of a node carries.</summary>
    public static string Label(LoweringContext c) => $"node {c.Node.Index} ({c.Node.Op.Name})";

    /// <summary>The status tag of a node: its index + 1 (0 means no failure).</summary>
    public static int Tag(LoweringContext c) => c.Node.Index + 1;

    /// <summary>Pointer to the storage of node input <paramref name="i"/>.</summary>
    public static LaunchArg Input(LoweringContext c, int i) => LaunchArg.Value(c.Node.Inputs[i]);

    /// <summary>Pointer to the storage of node output <paramref name="i"/>.</summary>
    public static LaunchArg Output(LoweringContext c, int i = 0) => LaunchArg.Value(c.Node.Outputs[i]);

    /// <summary>
    /// A view table of 32-bit entries. Element counts are below 2^31, so every dim and stride fits; the table is
    /// never empty (a rank-0 view gets one unused entry) so the runtime always has a buffer to point at.
    /// </summary>
    public static LaunchArg Table(IEnumerable<long> entries)
    {
        var data = entries.Select(e => e is >= 0 and <= int.MaxValue
            ? (int)e
            : throw new ArgumentOutOfRangeException(nameof(entries), e, "a view table entry must be a non-negative 32-bit integer")).ToArray();
        return LaunchArg.TableOf(data.Length == 0 ? [0] : data);
    }

    /// <summary>A strided view's table: dims, then each operand's strides (Kernels/ops.cuh, pf_view_offsets).</summary>
    public static LaunchArg ToTable(this StridedLayout view) => Table(view.Dims.Concat(view.Strides.SelectMany(s => s)));

    /// <summary>
    /// A grid-stride launch over <paramref name="items"/> items, a thread each: as many blocks as the items need,
    /// at most <see cref="BlocksPerSm"/> per SM (each thread then takes several items).
    /// </summary>
    public static KernelLaunch PerItem(KernelVariant variant, string function, LaunchArg[] args, long items, CudaLoweringLimits limits, string label)
    {
        long blocks = Math.Clamp((items + Block - 1) / Block, 1, Math.Max(1L, (long)limits.SmCount * BlocksPerSm));
        return new KernelLaunch(variant, function, args, ((uint)blocks, 1, 1), (Block, 1, 1), 0, label);
    }

    /// <summary>A launch of a block per item (the kernel loops when there are more items than blocks).</summary>
    public static KernelLaunch PerBlock(KernelVariant variant, string function, LaunchArg[] args, long items, CudaLoweringLimits limits, string label,
        int threads = Block)
    {
        long blocks = Math.Clamp(items, 1, int.MaxValue);
        return new KernelLaunch(variant, function, args, ((uint)blocks, 1, 1), ((uint)threads, 1, 1), 0, label);
    }
}
