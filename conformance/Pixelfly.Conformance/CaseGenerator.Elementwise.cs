using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

// Elementwise: unary, binary with broadcasting, where, cast, full.
public static partial class CaseGenerator
{
    private static readonly DType[] FloatTypes = [DType.F32, DType.F16, DType.BF16];

    private static void AddElementwise(CaseSet set)
    {
        foreach (var f in Enum.GetValues<UnaryFunction>())
        {
            var op = new UnaryOp(f);
            // log, rsqrt and sqrt need positive inputs; exp/tanh/sigmoid/gelu are tested across their bends.
            var gen = f switch
            {
                UnaryFunction.Log or UnaryFunction.Rsqrt or UnaryFunction.Sqrt => U(0.1, 4),
                UnaryFunction.Neg or UnaryFunction.Relu => Unit,
                _ => U(-4, 4),
            };
            // Negation and relu are exact in any precision.
            var cls = f is UnaryFunction.Neg or UnaryFunction.Relu ? CaseClass.Exact : CaseClass.Numeric;
            foreach (var t in FloatTypes)
                set.Add($"unary/{op.Name}/{Name(t)}", cls, Single(b => b.Unary(f, b.Input("a", t, 7, 33))), G(("a", gen)));
        }

        foreach (var f in Enum.GetValues<BinaryFunction>())
        {
            var op = new BinaryOp(f);
            var gens = f switch
            {
                BinaryFunction.Div => G(("a", Unit), ("b", U(0.5, 2))),
                BinaryFunction.GeluGrad => G(("a", U(-4, 4)), ("b", Unit)),
                // Small integers make equal pairs common, so both branches of the comparison are exercised.
                BinaryFunction.Greater or BinaryFunction.Equal => G(("a", Int(-2, 2)), ("b", Int(-2, 2))),
                _ => G(("a", Unit), ("b", Unit)),
            };
            // Selections and comparisons are exact; arithmetic rounds once.
            var cls = f is BinaryFunction.Maximum or BinaryFunction.Minimum or BinaryFunction.Greater or BinaryFunction.Equal
                ? CaseClass.Exact : CaseClass.Numeric;
            set.Add($"binary/{op.Name}/f32/broadcast", cls,
                Single(b => b.Binary(f, b.Input("a", DType.F32, 5, 1, 17), b.Input("b", DType.F32, 3, 1))), gens, ["broadcast"]);
        }
        set.Add("binary/sub/f32/scalar", CaseClass.Numeric,
            Single(b => b.Sub(b.Input("a", DType.F32, 4, 6), b.Input("b", DType.F32))), tags: ["broadcast"]);
        foreach (var t in new[] { DType.F16, DType.BF16 })
        {
            set.Add($"binary/add/{Name(t)}", CaseClass.Numeric, Single(b => b.Add(b.Input("a", t, 6, 20), b.Input("b", t, 6, 20))));
            set.Add($"binary/mul/{Name(t)}/broadcast", CaseClass.Numeric,
                Single(b => b.Mul(b.Input("a", t, 6, 20), b.Input("b", t, 20))), tags: ["broadcast"]);
            set.Add($"binary/div/{Name(t)}", CaseClass.Numeric,
                Single(b => b.Div(b.Input("a", t, 6, 20), b.Input("b", t, 6, 20))), G(("a", Unit), ("b", U(0.5, 2))));
        }

        set.Add("where/f32/broadcast3", CaseClass.Exact,
            Single(b => b.Where(b.Input("cond", DType.F32, 4, 1, 9), b.Input("a", DType.F32, 1, 6, 9), b.Input("b", DType.F32, 4, 6, 1))),
            G(("cond", Int(0, 1))), ["broadcast"]);
        set.Add("where/i32-cond", CaseClass.Exact,
            Single(b => b.Where(b.Input("cond", DType.I32, 5, 8), b.Input("a", DType.F32, 5, 8), b.Input("b", DType.F32, 5, 8))),
            G(("cond", Labels(2))));
        set.Add("where/bf16", CaseClass.Exact,
            Single(b => b.Where(b.Input("cond", DType.BF16, 3, 7), b.Input("a", DType.BF16, 3, 7), b.Input("b", DType.BF16, 1))),
            G(("cond", Int(0, 1))), ["broadcast"]);

        // Casts are exact by definition: round to nearest even between floats, truncation toward zero to i32.
        foreach (var (from, to, gen) in new (DType, DType, Gen)[]
                 {
                     (DType.F32, DType.F16, U(-100, 100)),
                     (DType.F32, DType.BF16, U(-100, 100)),
                     (DType.F32, DType.I32, U(-50, 50)),
                     (DType.F16, DType.F32, U(-100, 100)),
                     (DType.BF16, DType.F32, U(-100, 100)),
                     (DType.F16, DType.BF16, U(-100, 100)),
                     (DType.BF16, DType.I32, U(-50, 50)),
                     (DType.I32, DType.F32, Indices(100_000)),
                     (DType.I32, DType.BF16, Indices(1000)),
                 })
            set.Add($"cast/{Name(from)}-to-{Name(to)}", CaseClass.Exact, Single(b => b.Cast(b.Input("a", from, 9, 13), to)), G(("a", gen)));
        foreach (var t in new[] { DType.F16, DType.BF16, DType.I32 })
            set.Add($"cast/f32-to-{Name(t)}-and-back", CaseClass.Exact,
                Single(b => b.Cast(b.Cast(b.Input("a", DType.F32, 9, 13), t), DType.F32)), G(("a", U(-50, 50))));

        set.Add("full/f32", CaseClass.Exact, Single(b => b.Full(2.5, DType.F32, 3, 5)));
        set.Add("full/bf16", CaseClass.Exact, Single(b => b.Full(0.1, DType.BF16, 4, 7)));
        set.Add("full/f16/scalar", CaseClass.Exact, Single(b => b.Full(-3.25, DType.F16)));
        set.Add("full/i32", CaseClass.Exact, Single(b => b.Full(7, DType.I32, 2, 3, 4)));
    }
}
