using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>What a dispatch's buffer binding refers to.</summary>
internal enum BufferArgKind
{
    /// <summary>The storage of a graph value (the runtime's memory plan decides where it lives).</summary>
    Value,

    /// <summary>A scratch buffer private to the node, <see cref="BufferArg.Words"/> 32-bit words, contents undefined on entry.</summary>
    Scratch,

    /// <summary>A read-only table (layout indices, gather plans) uploaded once at compile time.</summary>
    Table,

    /// <summary>The executable's 4-word status buffer, see <see cref="BufferArg.Status"/>.</summary>
    Status,

    /// <summary>
    /// The raw device buffer of a bound input or output tensor (f16/bf16 packed two per word, little-endian), used
    /// only by the runtime's import/export conversions; <see cref="BufferArg.Id"/> is the runtime's own binding slot.
    /// </summary>
    Bound,
}

/// <summary>
/// One storage-buffer binding of a dispatch. Binding i of the shader (set 0, std430) is <c>Buffers[i]</c>.
/// Every value is held as 32-bit words: f32 as floats, i32 as ints, f16/bf16 widened to f32 by the runtime.
/// </summary>
internal readonly record struct BufferArg(BufferArgKind Kind, int Id, long Words, int[]? Data)
{
    /// <summary>The whole storage of graph value <paramref name="valueId"/> (its element count in words).</summary>
    public static BufferArg Value(int valueId, long elementCount) => new(BufferArgKind.Value, valueId, elementCount, null);

    /// <summary>Scratch buffer number <paramref name="slot"/> of this node; same slot within one node = same buffer.</summary>
    public static BufferArg Scratch(int slot, long words) => new(BufferArgKind.Scratch, slot, words, null);

    /// <summary>A compile-time table of 32-bit integers.</summary>
    public static BufferArg Table(int[] data) => new(BufferArgKind.Table, -1, data.Length, data);

    /// <summary>
    /// The executable's status buffer (4 words, zeroed before each run). A shader that finds bad data (an index out
    /// of range) records the first failure: <c>if (atomicCompSwap(s[0], 0, tag) == 0) { s[1] = bad; s[2] = limit; }</c>
    /// with <c>tag</c> = node index + 1 from its push constants; the runtime turns it into an ExecutionException.
    /// </summary>
    public static BufferArg Status() => new(BufferArgKind.Status, -1, 4, null);
}

/// <summary>
/// One compute dispatch: an embedded SPIR-V shader (resource name without extension, e.g. "gemm"), its
/// specialization constants (constant_id i = Specialization[i]; by convention ids 0..2 are local_size x/y/z
/// when the shader uses local_size_x_id), push-constant bytes (at most 128), buffers, and the group counts.
/// The runtime records dispatches in order with a compute-to-compute memory barrier between dependent ones.
/// </summary>
internal sealed record Dispatch(
    string Shader,
    uint[] Specialization,
    byte[] Push,
    BufferArg[] Buffers,
    uint GroupsX,
    uint GroupsY,
    uint GroupsZ,
    string Label);

/// <summary>What lowering may know about the device: limits that shape the dispatches.</summary>
internal sealed record LoweringLimits(
    uint SubgroupSize,
    uint MaxSharedMemoryBytes,
    uint MaxWorkgroupInvocations,
    uint[] MaxGroupCount,
    long MaxStorageBufferBytes,
    bool CooperativeMatrix);

/// <summary>Lowering input for one node: the graph, the node, and the device limits.</summary>
internal sealed record LoweringContext(Pixelfly.Ir.Graph Graph, Pixelfly.Ir.Node Node, LoweringLimits Limits)
{
    /// <summary>Type of input <paramref name="i"/> of the node.</summary>
    public TensorType In(int i) => Graph.Values[Node.Inputs[i]].Type;

    /// <summary>Type of output <paramref name="i"/> of the node.</summary>
    public TensorType Out(int i) => Graph.Values[Node.Outputs[i]].Type;
}
