using System.Buffers.Binary;
using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Tests.Ops;

/// <summary>
/// One-node graphs, device limits, and host emulations of the index arithmetic of copy.comp, elementwise.comp and
/// reduce.comp driven by a dispatch's push constants: they check that a lowering's strided views address exactly
/// the elements the op's semantics ask for, without a device.
/// </summary>
internal static class OpLoweringFixtures
{
    /// <summary>lavapipe's limits: subgroup 8, 32 KiB shared memory, 1024 invocations, 128 MiB buffers.</summary>
    public static readonly LoweringLimits Lavapipe = new(8, 32 * 1024, 1024, [65535, 65535, 65535], 128L << 20, false);

    /// <summary>The minimum limits Vulkan guarantees: 128 invocations, 65535 groups per dimension.</summary>
    public static readonly LoweringLimits Minimal = new(1, 16 * 1024, 128, [65535, 65535, 65535], 128L << 20, false);

    /// <summary>The lowering context of a graph holding only <paramref name="op"/> applied to inputs of the given types.</summary>
    public static LoweringContext Context(Op op, LoweringLimits limits, params TensorType[] inputs)
    {
        var g = new GraphBuilder();
        var values = inputs.Select((t, i) => g.Input($"in{i}", t)).ToArray();
        var outputs = g.Apply(op, values);
        for (int i = 0; i < outputs.Length; i++) g.Output($"y{i}", outputs[i]);
        var graph = g.Build();
        return new LoweringContext(graph, graph.Nodes[0], limits);
    }

    /// <summary>A tensor type.</summary>
    public static TensorType T(DType dtype, params int[] dims) => new(dtype, new Shape(dims));

    /// <summary>The push-constant block as 32-bit words.</summary>
    public static uint[] Words(byte[] push)
    {
        var words = new uint[push.Length / 4];
        for (int i = 0; i < words.Length; i++) words[i] = BinaryPrimitives.ReadUInt32LittleEndian(push.AsSpan(i * 4));
        return words;
    }

    /// <summary>Total workgroups of a dispatch.</summary>
    public static long Groups(Dispatch d) => (long)d.GroupsX * d.GroupsY * d.GroupsZ;

    /// <summary>
    /// Runs copy.comp's index arithmetic on the host: for each of `count` items, y[outBase + Σ c·outStride] =
    /// x[inBase + Σ c·inStride]. The output array starts as given (pad's fill is emulated by the caller).
    /// </summary>
    public static void EmulateCopy(Dispatch d, double[] x, double[] y)
    {
        Assert.That(d.Shader, Is.EqualTo("copy"));
        var w = Words(d.Push);
        const int max = 8;
        uint count = w[0], rank = w[1], outBase = w[2], inBase = w[3];
        Assert.That(d.GroupsX * d.GroupsY * (long)d.Specialization[0], Is.GreaterThanOrEqualTo(count), "the grid covers every item");
        for (uint i = 0; i < count; i++)
        {
            uint io = outBase, ii = inBase, rest = i;
            for (int k = (int)rank - 1; k >= 0; k--)
            {
                uint n = w[4 + k], coord = rest % n;
                rest /= n;
                io += coord * w[4 + max + k];
                ii += coord * w[4 + 2 * max + k];
            }
            y[io] = x[ii];
        }
    }

    /// <summary>The operand offsets elementwise.comp computes for every output element (one array per operand a, b, c).</summary>
    public static uint[][] ElementwiseOffsets(Dispatch d)
    {
        Assert.That(d.Shader, Is.EqualTo("elementwise"));
        var w = Words(d.Push);
        const int max = 6;
        uint count = w[0], rank = w[1];
        Assert.That(d.GroupsX * d.GroupsY * (long)d.Specialization[0], Is.GreaterThanOrEqualTo(count), "the grid covers every item");
        var offsets = new[] { new uint[count], new uint[count], new uint[count] };
        for (uint i = 0; i < count; i++)
        {
            uint rest = i;
            for (int k = (int)rank - 1; k >= 0; k--)
            {
                uint n = w[2 + k], coord = rest % n;
                rest /= n;
                for (int o = 0; o < 3; o++) offsets[o][i] += coord * w[2 + (o + 1) * max + k];
            }
        }
        return offsets;
    }

    /// <summary>
    /// reduce.comp's input offsets: for each result it writes (output o, or partial o * splits + s), the reduced
    /// elements in the order the shader visits them.
    /// </summary>
    public static uint[][] ReduceOffsets(Dispatch d)
    {
        Assert.That(d.Shader, Is.EqualTo("reduce"));
        var w = Words(d.Push);
        const int max = 6, arrays = 7;
        uint outputs = w[0], reduced = w[1], keptRank = w[2], reducedRank = w[3], splits = w[5], chunk = w[6];
        var result = new uint[outputs * splits][];
        for (uint g = 0; g < outputs * splits; g++)
        {
            uint baseOffset = 0, rest = g / splits;
            for (int k = (int)keptRank - 1; k >= 0; k--)
            {
                baseOffset += rest % w[arrays + k] * w[arrays + max + k];
                rest /= w[arrays + k];
            }
            uint first = g % splits * chunk, end = Math.Min(first + chunk, reduced);
            result[g] = new uint[end - first];
            for (uint r = first; r < end; r++)
            {
                uint offset = baseOffset;
                rest = r;
                for (int k = (int)reducedRank - 1; k >= 0; k--)
                {
                    offset += rest % w[arrays + 2 * max + k] * w[arrays + 3 * max + k];
                    rest /= w[arrays + 2 * max + k];
                }
                result[g][r - first] = offset;
            }
        }
        return result;
    }

    /// <summary>0, 1, 2, ... as doubles: each element's value is its own flat index.</summary>
    public static double[] Iota(int n) => Enumerable.Range(0, n).Select(i => (double)i).ToArray();

    /// <summary>Row-major flat index of a coordinate.</summary>
    public static int Flat(int[] shape, params int[] coord)
    {
        int index = 0;
        for (int d = 0; d < shape.Length; d++) index = index * shape[d] + coord[d];
        return index;
    }

    /// <summary>Every coordinate of a shape in row-major order.</summary>
    public static IEnumerable<int[]> Coordinates(int[] shape)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        for (int i = 0; i < count; i++)
        {
            var c = new int[shape.Length];
            int rest = i;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                c[d] = rest % shape[d];
                rest /= shape[d];
            }
            yield return c;
        }
    }
}
