using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

// The fused AdamW op, and the Pixelfly linear layer at fly's odd test shapes (in 149/497, out 698/3081).
public static partial class CaseGenerator
{
    private static void AddOptimizer(CaseSet set)
    {
        foreach (var (tag, t, settings, step) in new (string, DType, AdamWOp, double)[]
                 {
                     ("f32", DType.F32, new AdamWOp(), 3),
                     ("f32/step1-wd01", DType.F32, new AdamWOp(0.9, 0.99, 1e-6, 0.1), 1),
                     ("bf16", DType.BF16, new AdamWOp(), 5),
                 })
        {
            var b = new GraphBuilder();
            var p = b.Input("param", t, 17, 23);
            var (p2, m2, v2) = b.AdamW(p, b.Input("grad", t, 17, 23), b.Input("m", t, 17, 23), b.Input("v", t, 17, 23),
                b.Input("lr", DType.F32), b.Input("step", DType.F32), settings);
            b.Output("param_out", p2);
            b.Output("m_out", m2);
            b.Output("v_out", v2);
            // v is a running mean of g², so it is non-negative; m is of the order of the gradients.
            set.Add($"adamw/{tag}", CaseClass.Numeric, b.Build(),
                G(("grad", U(-0.1, 0.1)), ("m", U(-0.05, 0.05)), ("v", U(0, 0.01)), ("lr", Const(1e-3)), ("step", Const(step))), ["optimizer"]);
        }
    }

    /// <summary>
    /// The block-sparse part of a Pixelfly linear layer y = x·Wᵀ at a logical size (fly's odd test sizes): pad x to
    /// the layout's padded input size, Dds with transB against the [nnz, b, b] weight, slice back to the logical
    /// output size.
    /// </summary>
    internal static Value PixelflySparseLinear(GraphBuilder b, Value x, Value w, BlockLayout l, int inFeatures, int outFeatures)
    {
        int rank = x.Shape.Rank;
        var zeros = new int[rank];
        var padEnd = new int[rank];
        padEnd[^1] = l.Cols - inFeatures;
        var xp = l.Cols == inFeatures ? x : b.Pad(x, zeros, padEnd);
        var y = b.BlockSparseMatMul(SparseMode.Dds, l, xp, w, transB: true);
        if (l.Rows == outFeatures) return y;
        var begin = new int[rank];
        var end = y.Shape.ToArray();
        end[^1] = outFeatures;
        return b.Slice(y, begin, end);
    }

    private static void AddPixelflyLinear(CaseSet set)
    {
        foreach (var (inF, outF, bs, tokens) in new[] { (149, 698, 16, 149), (149, 698, 32, 497), (497, 3081, 16, 7), (497, 3081, 32, 5), (497, 3081, 64, 3) })
        {
            // S = 16, F = 2 is fly's released configuration; padded sizes here are multiples of 16 but the pixels
            // are not multiples of b, so the layouts are the misaligned, denser kind (spec §1.3).
            var l = BlockLayout.FlatBlockButterfly(outF, inF, bs, 16, 2);
            var b = new GraphBuilder();
            var x = b.Input("x", DType.F32, tokens, inF);
            var w = b.Parameter("w", DType.F32, l.NnzBlocks, bs, bs);
            b.Output("y", PixelflySparseLinear(b, x, w, l, inF, outF));
            set.Add($"pixelfly-linear/in{inF}-out{outF}/b{bs}/t{tokens}", CaseClass.Numeric, b.Build(),
                G(("w", U(-0.1, 0.1))), ["bsmm", "odd-shape", "pixelfly-linear", $"b{bs}"]);
        }
    }
}
