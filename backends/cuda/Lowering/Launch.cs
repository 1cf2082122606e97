using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Lowering;

/// <summary>
/// One compilation unit: an embedded kernel source (file name under Kernels/, e.g. "gemm_mma.cu") and the
/// preprocessor defines it is compiled with (NAME=VALUE, in a fixed order). The runtime compiles each distinct
/// variant once per device architecture with NVRTC (adding -arch and its own options) and caches the binary on disk.
/// </summary>
internal sealed record KernelVariant(string Source, IReadOnlyList<KeyValuePair<string, string>> Defines)
{
    /// <summary>A variant with defines given as (name, value) pairs.</summary>
    public static KernelVariant Of(string source, params (string Name, object Value)[] defines) =>
        new(source, [.. defines.Select(d => new KeyValuePair<string, string>(d.Name, Convert.ToString(d.Value, System.Globalization.CultureInfo.InvariantCulture)!))]);

    /// <summary>Stable text identity (source + defines), part of the cache key.</summary>
    public string Key => Defines.Count == 0 ? Source : $"{Source}[{string.Join(",", Defines.Select(d => $"{d.Key}={d.Value}"))}]";

    /// <inheritdoc/>
    public bool Equals(KernelVariant? other) => other is not null && Key == other.Key;

    /// <inheritdoc/>
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);
}

/// <summary>What a kernel parameter is.</summary>
internal enum LaunchArgKind
{
    /// <summary>Device pointer to the storage of graph value <see cref="LaunchArg.Id"/> plus <see cref="LaunchArg.Bytes"/> bytes.</summary>
    Value,

    /// <summary>Device pointer to scratch buffer slot <see cref="LaunchArg.Id"/> of this node (<see cref="LaunchArg.Bytes"/> bytes, contents undefined on entry; one slot = one buffer within a node).</summary>
    Scratch,

    /// <summary>Device pointer to a read-only table of 32-bit integers uploaded once at compile time.</summary>
    Table,

    /// <summary>Device pointer to the executable's status words (4 × int32, zeroed before each run).</summary>
    Status,

    /// <summary>A 32-bit signed integer passed by value.</summary>
    Int32,

    /// <summary>A 64-bit signed integer passed by value.</summary>
    Int64,

    /// <summary>A 32-bit float passed by value.</summary>
    Float32,
}

/// <summary>
/// One kernel parameter, in the kernel's parameter order. Pointers are 8-byte device addresses. Storage is native:
/// a value of dtype f32/i32 holds 4 bytes per element, f16/bf16 2 bytes (raw IEEE half / bfloat16 bits),
/// row-major contiguous, so element i of value v is at <c>base(v) + i·size(dtype)</c>.
/// The status words follow the Vulkan backend's convention: a kernel that finds bad data (an index out of range)
/// records the first failure with <c>if (atomicCAS(&amp;s[0], 0, tag) == 0) { s[1] = bad; s[2] = limit; }</c>,
/// tag = node index + 1 (passed as an Int32 argument); the runtime turns it into an ExecutionException.
/// </summary>
internal readonly record struct LaunchArg(LaunchArgKind Kind, int Id, long Bytes, int[]? Table, long Integer, float Real)
{
    /// <summary>Pointer to value <paramref name="valueId"/>'s storage, <paramref name="byteOffset"/> bytes in.</summary>
    public static LaunchArg Value(int valueId, long byteOffset = 0) => new(LaunchArgKind.Value, valueId, byteOffset, null, 0, 0);

    /// <summary>Pointer to this node's scratch buffer <paramref name="slot"/> of <paramref name="bytes"/> bytes.</summary>
    public static LaunchArg Scratch(int slot, long bytes) => new(LaunchArgKind.Scratch, slot, bytes, null, 0, 0);

    /// <summary>Pointer to a compile-time table.</summary>
    public static LaunchArg TableOf(int[] data) => new(LaunchArgKind.Table, -1, (long)data.Length * 4, data, 0, 0);

    /// <summary>Pointer to the status words.</summary>
    public static LaunchArg Status() => new(LaunchArgKind.Status, -1, 16, null, 0, 0);

    /// <summary>An int by value.</summary>
    public static LaunchArg I32(int v) => new(LaunchArgKind.Int32, -1, 4, null, v, 0);

    /// <summary>A long by value.</summary>
    public static LaunchArg I64(long v) => new(LaunchArgKind.Int64, -1, 8, null, v, 0);

    /// <summary>A float by value.</summary>
    public static LaunchArg F32(float v) => new(LaunchArgKind.Float32, -1, 4, null, 0, v);
}

/// <summary>
/// One kernel launch: the variant that holds the function (an <c>extern "C" __global__</c> name), the parameters,
/// the grid and block sizes and the dynamic shared memory. Launches of one executable run in order on one stream
/// (the runtime captures them into a CUDA graph), so a launch sees every earlier launch's writes.
/// </summary>
internal sealed record KernelLaunch(
    KernelVariant Variant,
    string Function,
    LaunchArg[] Args,
    (uint X, uint Y, uint Z) Grid,
    (uint X, uint Y, uint Z) Block,
    int DynamicSharedBytes,
    string Label);

/// <summary>What lowering may know about the device: facts that shape the launches.</summary>
/// <param name="ComputeCapability">Major·10 + minor, e.g. 80 (A100), 90 (H100).</param>
/// <param name="SmCount">Streaming multiprocessors, to size grids of small problems (split-K, more tiles).</param>
/// <param name="MaxDynamicSharedBytes">Opt-in dynamic shared memory per block.</param>
/// <param name="Tf32">f32 matmuls may use TF32 tensor cores (PIXELFLY_ENABLE=cuda.tf32); otherwise exact f32.</param>
internal sealed record CudaLoweringLimits(int ComputeCapability, int SmCount, int MaxDynamicSharedBytes, bool Tf32)
{
    /// <summary>A typical H100 (sm_90, 132 SMs, 227 KiB), used where no device is present (compile-only tests).</summary>
    public static CudaLoweringLimits H100 { get; } = new(90, 132, 232448, false);
}

/// <summary>Lowering input for one node.</summary>
internal sealed record LoweringContext(Graph Graph, Node Node, CudaLoweringLimits Limits)
{
    /// <summary>Type of input <paramref name="i"/> of the node.</summary>
    public TensorType In(int i) => Graph.Values[Node.Inputs[i]].Type;

    /// <summary>Type of output <paramref name="i"/> of the node.</summary>
    public TensorType Out(int i) => Graph.Values[Node.Outputs[i]].Type;
}
