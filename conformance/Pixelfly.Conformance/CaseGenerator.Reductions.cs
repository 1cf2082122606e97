using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

// Reductions, softmax, log-softmax, layer norm, cross-entropy, one-hot.
public static partial class CaseGenerator
{
    private static void AddReductionsAndNorms(CaseSet set)
    {
        var configs = new (string Tag, int[] Axes, bool Keep)[]
        {
            ("axis1", [1], false),
            ("axes0-2-keep", [0, 2], true),
            ("all", [0, 1, 2], false),
            ("last-keep", [-1], true),
        };
        foreach (var kind in Enum.GetValues<ReduceKind>())
        {
            var op = new ReduceOp(kind, [0], false);
            // Max selects an element: exact. Sum and mean round.
            var cls = kind == ReduceKind.Max ? CaseClass.Exact : CaseClass.Numeric;
            foreach (var (tag, axes, keep) in configs)
                set.Add($"{op.Name}/f32/{tag}", cls, Single(b => b.Apply1(new ReduceOp(kind, axes, keep), b.Input("a", DType.F32, 6, 7, 9))));
            set.Add($"{op.Name}/bf16/axis1", cls, Single(b => b.Apply1(new ReduceOp(kind, [1], false), b.Input("a", DType.BF16, 16, 40))));
        }
        // K = 4099: the long reduction the f32 thresholds are derived for (K·u²/6 at K ≈ 4096).
        set.Add("reduce_sum/f32/long-row", CaseClass.Numeric, Single(b => b.ReduceSum(b.Input("a", DType.F32, 3, 4099), [1])));
        // Small integers: |sum| ≤ 7·8, exact in f32.
        set.Add("reduce_sum/f32/exact", CaseClass.Exact, Single(b => b.ReduceSum(b.Input("a", DType.F32, 6, 7, 9), [1])), G(("a", Int(-8, 8))));

        foreach (var (name, make) in new (string, Func<int, Op>)[] { ("softmax", a => new SoftmaxOp(a)), ("log_softmax", a => new LogSoftmaxOp(a)) })
        {
            set.Add($"{name}/f32/last", CaseClass.Numeric, Single(b => b.Apply1(make(-1), b.Input("a", DType.F32, 5, 37))), G(("a", U(-4, 4))));
            set.Add($"{name}/f32/axis0", CaseClass.Numeric, Single(b => b.Apply1(make(0), b.Input("a", DType.F32, 12, 7))), G(("a", U(-4, 4))));
            set.Add($"{name}/f32/middle", CaseClass.Numeric, Single(b => b.Apply1(make(1), b.Input("a", DType.F32, 2, 3, 20))), G(("a", U(-4, 4))));
            // Large logits: a kernel that skips the max subtraction overflows exp here.
            set.Add($"{name}/f32/large-logits", CaseClass.Numeric, Single(b => b.Apply1(make(-1), b.Input("a", DType.F32, 4, 29))), G(("a", U(80, 120))));
            set.Add($"{name}/f16", CaseClass.Numeric, Single(b => b.Apply1(make(-1), b.Input("a", DType.F16, 6, 24))), G(("a", U(-4, 4))));
            set.Add($"{name}/bf16", CaseClass.Numeric, Single(b => b.Apply1(make(-1), b.Input("a", DType.BF16, 6, 24))), G(("a", U(-4, 4))));
        }

        // A nonzero mean (x in [-1, 3)) checks that the mean is subtracted; gamma/beta away from 1/0 check the affine part.
        var lnGens = G(("x", U(-1, 3)), ("gamma", U(0.5, 1.5)), ("beta", U(-0.5, 0.5)));
        foreach (var (tag, t, dims) in new (string, DType, int[])[] { ("f32", DType.F32, [9, 48]), ("f32/rank3", DType.F32, [2, 5, 40]), ("bf16", DType.BF16, [4, 64]) })
            set.Add($"layer_norm/{tag}", CaseClass.Numeric, Single(b =>
            {
                int c = dims[^1];
                return b.LayerNorm(b.Input("x", t, dims), b.Input("gamma", t, c), b.Input("beta", t, c), 1e-5);
            }), lnGens);

        set.Add("cross_entropy/f32", CaseClass.Numeric,
            Single(b => b.CrossEntropy(b.Input("logits", DType.F32, 13, 10), b.Input("labels", DType.I32, 13))),
            G(("logits", U(-3, 3)), ("labels", Labels(10))));
        set.Add("cross_entropy/f32/rank3", CaseClass.Numeric,
            Single(b => b.CrossEntropy(b.Input("logits", DType.F32, 2, 7, 5), b.Input("labels", DType.I32, 2, 7))),
            G(("logits", U(-3, 3)), ("labels", Labels(5))));
        set.Add("cross_entropy/bf16", CaseClass.Numeric,
            Single(b => b.CrossEntropy(b.Input("logits", DType.BF16, 8, 33), b.Input("labels", DType.I32, 8))),
            G(("logits", U(-3, 3)), ("labels", Labels(33))));

        set.Add("one_hot/f32", CaseClass.Exact, Single(b => b.OneHot(b.Input("idx", DType.I32, 5, 3), 12)), G(("idx", Indices(12))));
        // Indices up to 9 with depth 8: the out-of-range ones must give all-zero rows.
        set.Add("one_hot/bf16/out-of-range", CaseClass.Exact, Single(b => b.OneHot(b.Input("idx", DType.I32, 9), 8, DType.BF16)), G(("idx", Indices(10))));
    }
}
