using Pixelfly.Autodiff;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

// Gradient graphs of every differentiable op: the op, loss = Σ(y·r) with r a fixed random input, then
// Gradients.Build with respect to every float input of the op.
public static partial class CaseGenerator
{
    /// <summary>
    /// Builds forward(b) = y, adds input "r" (y's type) and loss = Σ y·r, outputs "y" and "loss", and differentiates
    /// with respect to every float input and parameter except r.
    /// </summary>
    internal static Graph WithGradients(Func<GraphBuilder, Value> forward)
    {
        var b = new GraphBuilder();
        var y = forward(b);
        var r = b.Input("r", y.Type);
        var yr = b.Mul(y, r);
        var loss = yr.Shape.Rank == 0 ? yr : b.ReduceSum(yr, Enumerable.Range(0, yr.Shape.Rank).ToArray());
        b.Output("y", y);
        b.Output("loss", loss);
        var g = b.Build();
        var wrt = g.Bindable.Where(v => v.Name != "r" && v.Type.DType.IsFloat()).Select(v => v.Name).ToArray();
        return Gradients.Build(g, "loss", wrt);
    }

    private static void AddGradients(CaseSet set)
    {
        void Add(string id, Func<GraphBuilder, Value> forward, Dictionary<string, Gen>? gens = null, string[]? tags = null) =>
            set.Add($"grad/{id}", CaseClass.Numeric, WithGradients(forward), gens, ["grad", .. tags ?? []]);

        const DType f = DType.F32;
        foreach (var fn in Enum.GetValues<UnaryFunction>())
        {
            var gen = fn is UnaryFunction.Log or UnaryFunction.Rsqrt or UnaryFunction.Sqrt ? U(0.1, 4) : U(-4, 4);
            Add($"{new UnaryOp(fn).Name}", b => b.Unary(fn, b.Input("a", f, 7, 33)), G(("a", gen)));
        }
        foreach (var fn in new[] { BinaryFunction.Add, BinaryFunction.Sub, BinaryFunction.Mul, BinaryFunction.Div, BinaryFunction.Maximum, BinaryFunction.Minimum })
        {
            var gens = fn == BinaryFunction.Div ? G(("b", U(0.5, 2))) : null;
            Add($"{new BinaryOp(fn).Name}/broadcast", b => b.Binary(fn, b.Input("a", f, 5, 1, 17), b.Input("b", f, 3, 1)), gens, ["broadcast"]);
        }
        Add("where/broadcast3", b => b.Where(b.Input("cond", DType.I32, 4, 1, 9), b.Input("a", f, 1, 6, 9), b.Input("b", f, 4, 6, 1)),
            G(("cond", Labels(2))), ["broadcast"]);
        Add("cast/f32-to-f16-and-back", b => b.Cast(b.Cast(b.Input("a", f, 9, 13), DType.F16), f));
        Add("cast/f32-to-bf16", b => b.Cast(b.Input("a", f, 9, 13), DType.BF16));

        foreach (var kind in Enum.GetValues<ReduceKind>())
        {
            string name = new ReduceOp(kind, [0], false).Name;
            Add($"{name}/axis1", b => b.Apply1(new ReduceOp(kind, [1], false), b.Input("a", f, 6, 7, 9)));
            Add($"{name}/axes0-2-keep", b => b.Apply1(new ReduceOp(kind, [0, 2], true), b.Input("a", f, 6, 7, 9)));
        }
        Add("softmax/last", b => b.Softmax(b.Input("a", f, 5, 37)), G(("a", U(-4, 4))));
        Add("softmax/axis0", b => b.Softmax(b.Input("a", f, 12, 7), 0), G(("a", U(-4, 4))));
        Add("log_softmax/last", b => b.LogSoftmax(b.Input("a", f, 5, 37)), G(("a", U(-4, 4))));
        Add("layer_norm", b => b.LayerNorm(b.Input("x", f, 9, 48), b.Input("gamma", f, 48), b.Input("beta", f, 48), 1e-5),
            G(("x", U(-1, 3)), ("gamma", U(0.5, 1.5)), ("beta", U(-0.5, 0.5))));
        Add("cross_entropy", b => b.CrossEntropy(b.Input("logits", f, 13, 10), b.Input("labels", DType.I32, 13)),
            G(("logits", U(-3, 3)), ("labels", Labels(10))));

        Add("reshape", b => b.Reshape(b.Input("a", f, 4, 6, 5), -1, 10));
        Add("transpose", b => b.Transpose(b.Input("a", f, 3, 4, 5), 2, 0, 1));
        Add("slice", b => b.Slice(b.Input("a", f, 9, 12), [2, 3], [7, 12]));
        Add("pad", b => b.Pad(b.Input("a", f, 5, 7), [1, 0], [2, 3]));
        Add("concat", b => b.Concat(1, b.Input("a", f, 3, 2, 4), b.Input("b", f, 3, 5, 4), b.Input("c", f, 3, 1, 4)));
        Add("broadcast_to", b => b.BroadcastTo(b.Input("a", f, 3, 1), 2, 3, 6), tags: ["broadcast"]);
        Add("gather", b => b.Gather(b.Input("table", f, 11, 6), b.Input("idx", DType.I32, 4, 3)), G(("idx", Indices(11))));
        Add("scatter_add", b => b.ScatterAdd(b.Input("idx", DType.I32, 9), b.Input("upd", f, 9, 5), 7), G(("idx", Indices(7))));

        foreach (var (ta, tb) in Transposes)
            Add($"matmul/{TransTag(ta, tb)}", b => b.MatMul(b.Input("a", f, ta ? [21, 13] : [13, 21]), b.Input("b", f, tb ? [17, 21] : [21, 17]), ta, tb));
        Add("matmul/batched", b => b.MatMul(b.Input("a", f, 3, 11, 16), b.Input("b", f, 3, 16, 9)), tags: ["batch"]);
        Add("matmul/shared-b", b => b.MatMul(b.Input("a", f, 2, 3, 8, 16), b.Input("b", f, 16, 12)), tags: ["batch", "shared-operand"]);

        foreach (var mode in Enum.GetValues<SparseMode>())
        {
            string m = ModeName(mode);
            foreach (var (ta, tb) in Transposes)
                set.Add($"grad/bsmm/{m}/b16/butterfly/{TransTag(ta, tb)}", CaseClass.Numeric,
                    WithGradients(b => Inline(b, Bsmm(mode, Layout("butterfly", 16), ta, tb, f))), tags: ["grad", "bsmm"]);
            set.Add($"grad/bsmm/{m}/b32/empty-row-col/ta0-tb1", CaseClass.Numeric,
                WithGradients(b => Inline(b, Bsmm(mode, Layout("empty-row-col", 32), false, true, f))), tags: ["grad", "bsmm"]);
        }
        set.Add("grad/bsmm/dds/b16/batch-shared-weight/ta0-tb1", CaseClass.Numeric,
            WithGradients(b => Inline(b, Bsmm(SparseMode.Dds, Layout("butterfly", 16), false, true, f, denseBatch: [2, 3]))), tags: ["grad", "bsmm", "batch"]);

        foreach (var l in new[] { BlockLayout.FlatBlockButterfly(128, 128, 16, 8, 2), BlockLayout.FromMask(SquareEmptyMask(), 32) })
            Add($"block_sparse_softmax/b{l.BlockSize}/{(l.BlockSize == 16 ? "butterfly" : "empty-row-col")}",
                b => b.BlockSparseSoftmax(l, b.Input("x", f, l.NnzBlocks, l.BlockSize, l.BlockSize), 0.25), G(("x", U(-4, 4))), ["bsmm-softmax"]);

        {
            var l = BlockLayout.FlatBlockButterfly(698, 149, 16, 16, 2);
            Add("pixelfly-linear/in149-out698/b16/t13", b =>
                PixelflySparseLinear(b, b.Input("x", f, 13, 149), b.Input("w", f, l.NnzBlocks, 16, 16), l, 149, 698),
                G(("w", U(-0.1, 0.1))), ["bsmm", "odd-shape", "pixelfly-linear"]);
            Add("pixelfly-layer/in149-out698/b16/r8/t13", b => PixelflyLayer(b, b.Input("x", f, 13, 149), "fc", 149, 698, l, 8),
                PixelflyLayerGens("fc", l, 149, 8), ["bsmm", "odd-shape", "pixelfly-linear", "low-rank"]);
        }
    }

    // Copies a single-op graph's inputs (as inputs) and its op into b; returns the op's output.
    private static Value Inline(GraphBuilder b, Graph g)
    {
        var map = Gradients.Replay(b, g);
        return map[g.Output("y").Value];
    }
}
