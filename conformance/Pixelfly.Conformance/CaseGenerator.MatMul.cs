using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

// Dense matmul: every transpose combination, batch, a rank-2 operand shared across the batch, mixed precision, and
// small-integer exact cases.
public static partial class CaseGenerator
{
    private static void AddMatMul(CaseSet set)
    {
        const int m = 37, k = 53, n = 29;
        foreach (var (ta, tb) in Transposes)
            set.Add($"matmul/f32/{TransTag(ta, tb)}", CaseClass.Numeric, Single(b => b.MatMul(
                b.Input("a", DType.F32, ta ? [k, m] : [m, k]), b.Input("b", DType.F32, tb ? [n, k] : [k, n]), ta, tb)));
        set.Add("matmul/f32/batched", CaseClass.Numeric,
            Single(b => b.MatMul(b.Input("a", DType.F32, 3, 17, 24), b.Input("b", DType.F32, 3, 24, 19))), tags: ["batch"]);
        set.Add("matmul/f32/batched/ta1-tb1", CaseClass.Numeric,
            Single(b => b.MatMul(b.Input("a", DType.F32, 2, 24, 17), b.Input("b", DType.F32, 2, 19, 24), true, true)), tags: ["batch"]);
        set.Add("matmul/f32/shared-b", CaseClass.Numeric,
            Single(b => b.MatMul(b.Input("a", DType.F32, 2, 3, 16, 24), b.Input("b", DType.F32, 24, 12))), tags: ["batch", "shared-operand"]);
        set.Add("matmul/f32/shared-a/tb1", CaseClass.Numeric,
            Single(b => b.MatMul(b.Input("a", DType.F32, 16, 24), b.Input("b", DType.F32, 3, 12, 24), transB: true)), tags: ["batch", "shared-operand"]);
        // K = 2048: a long accumulation.
        set.Add("matmul/f32/long-k", CaseClass.Numeric, Single(b => b.MatMul(b.Input("a", DType.F32, 8, 2048), b.Input("b", DType.F32, 2048, 6))));

        foreach (var t in new[] { DType.BF16, DType.F16 })
        {
            set.Add($"matmul/{Name(t)}-in-f32-out", CaseClass.Numeric,
                Single(b => b.MatMul(b.Input("a", t, 33, 64), b.Input("b", t, 64, 40), outputType: DType.F32)), tags: ["mixed-precision"]);
            set.Add($"matmul/{Name(t)}", CaseClass.Numeric, Single(b => b.MatMul(b.Input("a", t, 33, 64), b.Input("b", t, 40, 64), transB: true)));
        }

        // Exact: |a|,|b| ≤ 8 and K = 64 bound every partial sum by 4096, exact in f32.
        set.Add("matmul/f32/exact", CaseClass.Exact,
            Single(b => b.MatMul(b.Input("a", DType.F32, 24, 64), b.Input("b", DType.F32, 64, 20))), fallback: Int(-8, 8));
        set.Add("matmul/f32/exact/batched-ta1", CaseClass.Exact,
            Single(b => b.MatMul(b.Input("a", DType.F32, 2, 48, 10), b.Input("b", DType.F32, 2, 48, 14), transA: true)), fallback: Int(-8, 8), tags: ["batch"]);
        // bf16 holds integers up to 256 exactly; |a|,|b| ≤ 2, K = 96: sums ≤ 384, exact in the f32 output.
        set.Add("matmul/bf16-in-f32-out/exact", CaseClass.Exact,
            Single(b => b.MatMul(b.Input("a", DType.BF16, 20, 96), b.Input("b", DType.BF16, 96, 18), outputType: DType.F32)), fallback: Int(-2, 2), tags: ["mixed-precision"]);
        // f16 holds integers up to 2048 exactly; |a|,|b| ≤ 4, K = 64: sums ≤ 1024.
        set.Add("matmul/f16/exact", CaseClass.Exact,
            Single(b => b.MatMul(b.Input("a", DType.F16, 20, 64), b.Input("b", DType.F16, 64, 18))), fallback: Int(-4, 4));
    }

    private static readonly (bool TransA, bool TransB)[] Transposes = [(false, false), (true, false), (false, true), (true, true)];

    private static string TransTag(bool ta, bool tb) => $"ta{(ta ? 1 : 0)}-tb{(tb ? 1 : 0)}";
}
