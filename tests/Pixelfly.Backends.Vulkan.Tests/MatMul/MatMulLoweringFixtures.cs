using System.Buffers.Binary;
using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Tests.MatMul;

/// <summary>One-node graphs and device limits for the matmul lowering tests.</summary>
internal static class MatMulLoweringFixtures
{
    /// <summary>lavapipe's limits: subgroup 8, 32 KiB shared memory, 1024 invocations, 128 MiB buffers.</summary>
    public static readonly LoweringLimits Lavapipe = new(8, 32 * 1024, 1024, [65535, 65535, 65535], 128L << 20, false);

    /// <summary>A large discrete GPU: 48 KiB shared memory, huge x group count.</summary>
    public static readonly LoweringLimits BigGpu = new(32, 48 * 1024, 1024, [int.MaxValue, 65535, 65535], 4L << 30, false);

    /// <summary>The lowering context of a graph holding only <paramref name="op"/> applied to inputs of the given types.</summary>
    public static LoweringContext Context(Op op, LoweringLimits limits, params TensorType[] inputs)
    {
        var g = new GraphBuilder();
        var values = inputs.Select((t, i) => g.Input($"in{i}", t)).ToArray();
        g.Output("y", g.Apply1(op, values));
        var graph = g.Build();
        return new LoweringContext(graph, graph.Nodes[0], limits);
    }

    /// <summary>The push-constant block as 32-bit words.</summary>
    public static uint[] Words(byte[] push)
    {
        var words = new uint[push.Length / 4];
        for (int i = 0; i < words.Length; i++) words[i] = BinaryPrimitives.ReadUInt32LittleEndian(push.AsSpan(i * 4));
        return words;
    }

    /// <summary>Specialization constants 3-7 as a tile (BM, BN, BK, TM, TN).</summary>
    public static (uint BM, uint BN, uint BK, uint TM, uint TN) Tile(Dispatch d) =>
        (d.Specialization[3], d.Specialization[4], d.Specialization[5], d.Specialization[6], d.Specialization[7]);

    /// <summary>The total number of workgroups a dispatch launches.</summary>
    public static long Groups(Dispatch d) => (long)d.GroupsX * d.GroupsY * d.GroupsZ;
}
