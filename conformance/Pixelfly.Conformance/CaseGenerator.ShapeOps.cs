using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

// Data movement: reshape, transpose, slice, pad, concat, broadcast_to, gather; and scatter_add. All exact except
// the uniform-data scatter_add, whose sums depend on the accumulation order.
public static partial class CaseGenerator
{
    private static void AddShapeOps(CaseSet set)
    {
        var x = CaseClass.Exact;
        set.Add("reshape/f32", x, Single(b => b.Reshape(b.Input("a", DType.F32, 4, 6, 5), -1, 10)));
        set.Add("reshape/bf16/flatten", x, Single(b => b.Reshape(b.Input("a", DType.BF16, 3, 7, 2), 42)));
        set.Add("transpose/f32/2d", x, Single(b => b.Transpose(b.Input("a", DType.F32, 33, 17), 1, 0)));
        set.Add("transpose/f32/3d", x, Single(b => b.Transpose(b.Input("a", DType.F32, 3, 4, 5), 2, 0, 1)));
        set.Add("transpose/bf16/heads", x, Single(b => b.Transpose(b.Input("a", DType.BF16, 2, 3, 4, 5), 0, 2, 1, 3)));
        set.Add("transpose/i32", x, Single(b => b.Transpose(b.Input("a", DType.I32, 6, 5), 1, 0)), G(("a", Indices(1000))));
        set.Add("slice/f32", x, Single(b => b.Slice(b.Input("a", DType.F32, 9, 12), [2, 3], [7, 12])));
        set.Add("slice/f16/3d", x, Single(b => b.Slice(b.Input("a", DType.F16, 4, 5, 6), [1, 0, 2], [3, 5, 5])));
        set.Add("pad/f32", x, Single(b => b.Pad(b.Input("a", DType.F32, 5, 7), [1, 0], [2, 3])));
        set.Add("pad/bf16/3d", x, Single(b => b.Pad(b.Input("a", DType.BF16, 2, 3, 4), [0, 2, 1], [1, 0, 3])));
        set.Add("concat/f32/axis1", x, Single(b => b.Concat(1,
            b.Input("a", DType.F32, 3, 2, 4), b.Input("b", DType.F32, 3, 5, 4), b.Input("c", DType.F32, 3, 1, 4))));
        set.Add("concat/f16/axis0", x, Single(b => b.Concat(0, b.Input("a", DType.F16, 2, 5), b.Input("b", DType.F16, 3, 5))));
        set.Add("concat/f32/last", x, Single(b => b.Concat(-1, b.Input("a", DType.F32, 4, 3), b.Input("b", DType.F32, 4, 6))));
        set.Add("broadcast_to/f32", x, Single(b => b.BroadcastTo(b.Input("a", DType.F32, 3, 1), 2, 3, 6)));
        set.Add("broadcast_to/bf16/scalar", x, Single(b => b.BroadcastTo(b.Input("a", DType.BF16), 4, 5)));
        set.Add("gather/f32", x, Single(b => b.Gather(b.Input("table", DType.F32, 11, 6), b.Input("idx", DType.I32, 4, 3))), G(("idx", Indices(11))));
        set.Add("gather/bf16/rank3-table", x, Single(b => b.Gather(b.Input("table", DType.BF16, 7, 2, 3), b.Input("idx", DType.I32, 5))), G(("idx", Indices(7))));
        // Few rows, many indices: rows receive several updates, so accumulation order matters (numeric).
        set.Add("scatter_add/f32", CaseClass.Numeric,
            Single(b => b.ScatterAdd(b.Input("idx", DType.I32, 9), b.Input("upd", DType.F32, 9, 5), 7)), G(("idx", Indices(7))));
        set.Add("scatter_add/f32/exact", x,
            Single(b => b.ScatterAdd(b.Input("idx", DType.I32, 3, 4), b.Input("upd", DType.F32, 3, 4, 6), 5)), G(("idx", Indices(5)), ("upd", Int(-8, 8))));
        set.Add("scatter_add/bf16", CaseClass.Numeric,
            Single(b => b.ScatterAdd(b.Input("idx", DType.I32, 12), b.Input("upd", DType.BF16, 12, 3), 4)), G(("idx", Indices(4))));
    }
}
