using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Lowering: which ops the CPU runs, and the prepared kernel(s) for each node. One switch, one kernel class per op
/// family, so a kernel can be replaced without touching the others. Results in f16/bf16 are rounded by a
/// <see cref="RoundKernel"/> after any op that computes new values.
/// </summary>
internal static class KernelFactory
{
    /// <summary>Yes for every IR op over f32/f16/bf16 (and i32 where the op takes or makes indices); no for f64.</summary>
    public static Support Supports(Op op, IReadOnlyList<TensorType> inputTypes)
    {
        var basic = SupportRules.Float32Compute(op, inputTypes, "cpu", out _);
        if (!basic.IsSupported) return basic;
        return op switch
        {
            UnaryOp or BinaryOp or WhereOp or CastOp or FullOp or ReduceOp or SoftmaxOp or LogSoftmaxOp or LayerNormOp
                or CrossEntropyOp or OneHotOp or ReshapeOp or TransposeOp or SliceOp or PadOp or ConcatOp or BroadcastToOp
                or GatherOp or ScatterAddOp or MatMulOp or BlockSparseMatMulOp or BlockSparseSoftmaxOp
                or BlockSparseSoftmaxGradOp or AdamWOp => Support.Yes,
            _ => Support.No($"the cpu backend has no kernel for op '{op.Name}' ({op.GetType().Name})"),
        };
    }

    /// <summary>
    /// True when operand <paramref name="operand"/> of the node is read element by element at the same index the
    /// outputs are written, so an output may overwrite that operand's buffer.
    /// </summary>
    public static bool IsElementwiseInPlace(Node node, int operand, Graph graph)
    {
        var input = graph.Values[node.Inputs[operand]].Type;
        var output = graph.Values[node.Outputs[0]].Type;
        return node.Op switch
        {
            UnaryOp or CastOp or AdamWOp => input.Shape == output.Shape,
            BinaryOp or WhereOp => input.Shape == output.Shape,
            _ => false,
        };
    }

    /// <summary>The kernels that compute one node.</summary>
    public static IEnumerable<Kernel> Create(Node node, Graph graph, bool wide)
    {
        var kernel = CreateMain(node, graph, wide);
        yield return kernel;
        if (ComputesNewValues(node.Op))
            foreach (int output in node.Outputs)
            {
                var type = graph.Values[output].Type;
                if (type.DType is DType.F16 or DType.BF16 && type.Shape.ElementCount > 0)
                    yield return new RoundKernel(output, type.DType, type.Shape.ElementCount);
            }
    }

    private static bool ComputesNewValues(Op op) =>
        op is not (ReshapeOp or TransposeOp or SliceOp or PadOp or ConcatOp or BroadcastToOp or GatherOp or OneHotOp
            or FullOp or CastOp or WhereOp);

    private static Kernel CreateMain(Node node, Graph graph, bool wide)
    {
        TensorType In(int i) => graph.Values[node.Inputs[i]].Type;
        TensorType Out(int i) => graph.Values[node.Outputs[i]].Type;
        int x = node.Inputs.Count > 0 ? node.Inputs[0] : -1, y = node.Outputs[0];
        long count = Out(0).Shape.ElementCount;
        switch (node.Op)
        {
            case UnaryOp u:
                return new UnaryKernel(u.Function, x, y, checked((int)count));
            case BinaryOp b:
                return new BinaryKernel(b.Function, x, node.Inputs[1], y, BroadcastPlan.Create(Out(0).Shape, In(0).Shape, In(1).Shape), wide);
            case WhereOp:
                return new WhereKernel(x, In(0).DType == DType.I32, node.Inputs[1], node.Inputs[2], y,
                    BroadcastPlan.Create(Out(0).Shape, In(0).Shape, In(1).Shape, In(2).Shape));
            case CastOp c:
                return new CastKernel(x, In(0).DType, y, c.To, count);
            case FullOp f:
                return new FullKernel(y, f.DType, f.Value, count);
            case ReduceOp r:
                return new ReduceKernel(r.Kind, x, y, In(0).Shape, r.NormalizedAxes(In(0).Shape), wide);
            case SoftmaxOp s:
                return new SoftmaxKernel(x, y, In(0).Shape, s.Axis, log: false, wide);
            case LogSoftmaxOp s:
                return new SoftmaxKernel(x, y, In(0).Shape, s.Axis, log: true, wide);
            case LayerNormOp ln:
            {
                int width = In(0).Shape[-1];
                return new LayerNormKernel(x, node.Inputs[1], node.Inputs[2], y, width == 0 ? 0 : count / width, width, ln.Epsilon, wide);
            }
            case CrossEntropyOp:
                return new CrossEntropyKernel(x, node.Inputs[1], y, In(1).Shape.ElementCount, In(0).Shape[-1], wide);
            case OneHotOp oh:
                return new OneHotKernel(x, y, In(0).Shape.ElementCount, oh.Depth, oh.DType);
            case ReshapeOp:
                return StridedCopyKernel.Copy("reshape", x, y, count);
            case TransposeOp t:
                return StridedCopyKernel.Transpose(x, y, In(0).Shape, t.Perm);
            case SliceOp s:
                return StridedCopyKernel.Slice(x, y, In(0).Shape, s.Begin, s.End);
            case PadOp p:
                return new PadKernel(x, y, In(0).Shape, p.Begin, p.End);
            case ConcatOp c:
                return new ConcatKernel(node.Inputs.ToArray(), node.Inputs.Select(i => graph.Values[i].Type.Shape).ToArray(), y, In(0).Shape.Axis(c.Axis));
            case BroadcastToOp:
                return StridedCopyKernel.Broadcast(x, y, In(0).Shape, Out(0).Shape);
            case GatherOp:
            {
                var table = In(0).Shape;
                long rowLength = 1;
                for (int d = 1; d < table.Rank; d++) rowLength *= table[d];
                return new GatherKernel(x, node.Inputs[1], y, table[0], In(1).Shape.ElementCount, rowLength);
            }
            case ScatterAddOp s:
            {
                var indices = In(0).Shape;
                var updates = In(1).Shape;
                long rowLength = 1;
                for (int d = indices.Rank; d < updates.Rank; d++) rowLength *= updates[d];
                return new ScatterAddKernel(x, node.Inputs[1], y, s.Rows, indices.ElementCount, checked((int)rowLength), wide);
            }
            case MatMulOp mm:
                return CreateGemm(mm, In(0).Shape, In(1).Shape, x, node.Inputs[1], y, wide);
            case BlockSparseMatMulOp bs:
                return CreateBlockSparse(bs, In(0).Shape, In(1).Shape, x, node.Inputs[1], y, wide);
            case BlockSparseSoftmaxOp s:
                return new BlockSparseSoftmaxKernel(s.Layout, BatchOf(In(0).Shape, 3), s.Scale, x, -1, y, backward: false, wide);
            case BlockSparseSoftmaxGradOp s:
                return new BlockSparseSoftmaxKernel(s.Layout, BatchOf(In(0).Shape, 3), s.Scale, x, node.Inputs[1], y, backward: true, wide);
            case AdamWOp adam:
                return new AdamWKernel(adam, node.Inputs.ToArray(), node.Outputs.ToArray(), checked((int)count));
            default:
                throw new UnsupportedOpException($"node {node.Index} ({node.Op.Name}): the cpu backend has no kernel for this op");
        }
    }

    /// <summary>Product of the leading dims before the last <paramref name="trailing"/>.</summary>
    private static int BatchOf(Shape shape, int trailing)
    {
        int batch = 1;
        for (int d = 0; d < shape.Rank - trailing; d++) batch *= shape[d];
        return batch;
    }

    /// <summary>
    /// A matmul node (dense, or block-sparse Dds / Dsd) whose C tiles land in the epilogue's destination and run the
    /// epilogue there.
    /// </summary>
    public static Kernel CreateMatMulWithEpilogue(Node matmul, Graph graph, bool wide, FusedElementwiseKernel epilogue)
    {
        Shape a = graph.Values[matmul.Inputs[0]].Type.Shape, b = graph.Values[matmul.Inputs[1]].Type.Shape;
        int ia = matmul.Inputs[0], ib = matmul.Inputs[1], y = epilogue.DestinationValue;
        return matmul.Op switch
        {
            MatMulOp mm => CreateGemm(mm, a, b, ia, ib, y, wide, epilogue),
            BlockSparseMatMulOp { Mode: SparseMode.Dds or SparseMode.Dsd } bs => CreateBlockSparse(bs, a, b, ia, ib, y, wide, epilogue),
            _ => throw new InvalidOperationException(
                $"node {matmul.Index} ({matmul.Op.Name}) cannot run an epilogue: only dense matmuls and block-sparse Dds / Dsd write dense C tiles"),
        };
    }

    private static Kernel CreateGemm(MatMulOp op, Shape a, Shape b, int ia, int ib, int y, bool wide, FusedElementwiseKernel? epilogue = null)
    {
        int m = op.TransA ? a[-1] : a[-2], k = op.TransA ? a[-2] : a[-1];
        int n = op.TransB ? b[-2] : b[-1];
        // Batch dims are equal, or the rank-2 operand is shared across the other's batch.
        int batch = a.Rank > 2 ? BatchOf(a, 2) : BatchOf(b, 2);
        // A batch of untransposed A rows against a shared B is one GEMM with batch·M rows (A and C are contiguous
        // that way): B is packed once instead of once per batch entry, and small M still fills the cores.
        if (batch > 1 && a.Rank > 2 && b.Rank == 2 && !op.TransA)
            return new GemmKernel(ia, ib, y, batch * m, n, k, 1, aBatched: false, bBatched: false, false, op.TransB, wide, epilogue);
        return new GemmKernel(ia, ib, y, m, n, k, batch, aBatched: a.Rank > 2, bBatched: b.Rank > 2, op.TransA, op.TransB, wide, epilogue);
    }

    private static Kernel CreateBlockSparse(BlockSparseMatMulOp op, Shape a, Shape b, int ia, int ib, int y, bool wide,
        FusedElementwiseKernel? epilogue = null)
    {
        switch (op.Mode)
        {
            case SparseMode.Sdd:
                // Never given an epilogue: CreateMatMulWithEpilogue refuses Sdd (it writes blocks, not C tiles).
                return new SddKernel(ia, ib, y, op.Layout, op.TransA ? a[-2] : a[-1], BatchOf(a, 2), op.TransA, op.TransB, wide);
            case SparseMode.Dsd:
                return new DsdKernel(ia, ib, y, op.Layout, op.TransB ? b[-2] : b[-1], BatchOf(b, 2), wBatched: a.Rank > 3, op.TransA, op.TransB, wide, epilogue);
            case SparseMode.Dds:
                // Shared weights and untransposed rows: the batch folds into the rows, as for dense GEMM (the epilogue
                // then sees C as [batch·M, N], which is how it addresses rows anyway).
                if (b.Rank == 3 && !op.TransA)
                    return new DdsKernel(ia, ib, y, op.Layout, a[-2] * BatchOf(a, 2), 1, wBatched: false, false, op.TransB, wide, epilogue);
                return new DdsKernel(ia, ib, y, op.Layout, op.TransA ? a[-1] : a[-2], BatchOf(a, 2), wBatched: b.Rank > 3, op.TransA, op.TransB, wide, epilogue);
            default:
                throw new UnsupportedOpException($"block_sparse_matmul: unknown sparse mode {op.Mode}");
        }
    }
}
