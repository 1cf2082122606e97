using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

// Block-sparse matmul (Sdd, Dsd, Dds × every transpose × b ∈ {16, 32, 64} × layout kinds), mixed precision, exact
// small-integer cases, batch (shared sparse weights and per-batch sparse operands as in attention), and the
// block-sparse softmax and its gradient op.
public static partial class CaseGenerator
{
    // Dense free dimension (tokens) and Sdd's reduction length: odd, so no kernel gets a tile-aligned size for free.
    private const int Tokens = 19;
    private const int SddInner = 37;

    /// <summary>The layout kinds of the corpus, each at block size b.</summary>
    internal static BlockLayout Layout(string kind, int b) => kind switch
    {
        // 16×8 blocks; S = 8, F = 2 stretches each mask entry over 2×1 blocks: density 3/8, rectangular.
        "butterfly" => BlockLayout.FlatBlockButterfly(16 * b, 8 * b, b, 8, 2),
        "empty-row-col" => BlockLayout.FromMask(EmptyRowColumnMask(), b),
        // One stored block in a 3×4 grid.
        "single" => BlockLayout.FromMask(SingleBlockMask(), b),
        "dense" => BlockLayout.Dense(3 * b, 2 * b, b),
        "random" => BlockLayout.Random(6 * b, 5 * b, b, 0.4, 7),
        _ => throw new ArgumentException($"unknown layout kind '{kind}'"),
    };

    // 5×6 blocks: block row 2 and block column 4 are empty; the rest is a fixed irregular pattern.
    private static bool[,] EmptyRowColumnMask()
    {
        var mask = new bool[5, 6];
        for (int p = 0; p < 5; p++)
            for (int q = 0; q < 6; q++)
                mask[p, q] = p != 2 && q != 4 && (p * 7 + q * 3) % 4 != 0;
        return mask;
    }

    private static bool[,] SingleBlockMask()
    {
        var mask = new bool[3, 4];
        mask[1, 2] = true;
        return mask;
    }

    private static Value Sparse(GraphBuilder b, string name, DType t, BlockLayout l, params int[] batch) =>
        b.Input(name, t, [.. batch, l.NnzBlocks, l.BlockSize, l.BlockSize]);

    /// <summary>A block-sparse matmul with dense operands sized for the mode and transposes; inputs a and b.</summary>
    private static Graph Bsmm(SparseMode mode, BlockLayout l, bool ta, bool tb, DType t, DType? outType = null, int[]? denseBatch = null, int[]? sparseBatch = null)
    {
        int[] db = denseBatch ?? [];
        int[] sb = sparseBatch ?? [];
        return Single(b =>
        {
            int r = l.Rows, c = l.Cols;
            switch (mode)
            {
                case SparseMode.Dds:
                {
                    // C[M,N] = op(A)[M,K] · op(S)[K,N]
                    int k = tb ? c : r, n = tb ? r : c;
                    var a = b.Input("a", t, ta ? [.. db, k, Tokens] : [.. db, Tokens, k]);
                    return b.BlockSparseMatMul(mode, l, a, Sparse(b, "b", t, l, sb), ta, tb, outType);
                }
                case SparseMode.Dsd:
                {
                    // C[M,N] = op(S)[M,K] · op(B)[K,N]
                    int k = ta ? r : c;
                    var a = Sparse(b, "a", t, l, sb);
                    var bb = b.Input("b", t, tb ? [.. db, Tokens, k] : [.. db, k, Tokens]);
                    return b.BlockSparseMatMul(mode, l, a, bb, ta, tb, outType);
                }
                default:
                {
                    // C[R,C] (sparse) = op(A)[R,K] · op(B)[K,C]
                    var a = b.Input("a", t, ta ? [.. db, SddInner, r] : [.. db, r, SddInner]);
                    var bb = b.Input("b", t, tb ? [.. db, c, SddInner] : [.. db, SddInner, c]);
                    return b.BlockSparseMatMul(mode, l, a, bb, ta, tb, outType);
                }
            }
        });
    }

    private static string ModeName(SparseMode m) => m.ToString().ToLowerInvariant();

    private static void AddBlockSparse(CaseSet set)
    {
        var modes = Enum.GetValues<SparseMode>();
        // Every mode × transpose × block size on the butterfly layout.
        foreach (var mode in modes)
            foreach (int bs in new[] { 16, 32, 64 })
                foreach (var (ta, tb) in Transposes)
                    set.Add($"bsmm/{ModeName(mode)}/b{bs}/butterfly/{TransTag(ta, tb)}", CaseClass.Numeric,
                        Bsmm(mode, Layout("butterfly", bs), ta, tb, DType.F32), tags: ["bsmm", "layout:butterfly", $"b{bs}"]);
        // Every mode × transpose on the edge layouts.
        foreach (var (kind, bs) in new[] { ("empty-row-col", 32), ("single", 16), ("dense", 16), ("random", 16) })
            foreach (var mode in modes)
                foreach (var (ta, tb) in Transposes)
                    set.Add($"bsmm/{ModeName(mode)}/b{bs}/{kind}/{TransTag(ta, tb)}", CaseClass.Numeric,
                        Bsmm(mode, Layout(kind, bs), ta, tb, DType.F32), tags: ["bsmm", $"layout:{kind}", $"b{bs}"]);

        foreach (var mode in modes)
        {
            var l = Layout("butterfly", 32);
            // The Pixelfly layer's own orientation for Dds (y = x·Wᵀ); plain for the others.
            bool tb = mode == SparseMode.Dds;
            string m = ModeName(mode);
            set.Add($"bsmm/{m}/b32/butterfly/bf16-in-f32-out", CaseClass.Numeric, Bsmm(mode, l, false, tb, DType.BF16, DType.F32), tags: ["bsmm", "mixed-precision"]);
            set.Add($"bsmm/{m}/b32/butterfly/bf16", CaseClass.Numeric, Bsmm(mode, l, false, tb, DType.BF16), tags: ["bsmm"]);
            set.Add($"bsmm/{m}/b16/random/f16", CaseClass.Numeric, Bsmm(mode, Layout("random", 16), false, tb, DType.F16), tags: ["bsmm"]);
            // Exact: |x| ≤ 4, reductions ≤ 256 long: sums ≤ 4096, exact in f32.
            set.Add($"bsmm/{m}/b16/butterfly/exact/ta1-tb0", CaseClass.Exact, Bsmm(mode, Layout("butterfly", 16), true, false, DType.F32),
                fallback: Int(-4, 4), tags: ["bsmm"]);
            set.Add($"bsmm/{m}/b32/empty-row-col/exact/ta0-tb1", CaseClass.Exact, Bsmm(mode, Layout("empty-row-col", 32), false, true, DType.F32),
                fallback: Int(-4, 4), tags: ["bsmm"]);
            // bf16 integers |x| ≤ 2 are exact; sums ≤ 4·512 = 2048 exact in the f32 output.
            set.Add($"bsmm/{m}/b32/butterfly/bf16-in-f32-out/exact", CaseClass.Exact, Bsmm(mode, l, false, tb, DType.BF16, DType.F32),
                fallback: Int(-2, 2), tags: ["bsmm", "mixed-precision"]);
        }

        // Batch: sparse weights shared across a batch, and per-batch sparse operands.
        var bl = Layout("butterfly", 16);
        set.Add("bsmm/dds/b16/batch-shared-weight/ta0-tb1", CaseClass.Numeric, Bsmm(SparseMode.Dds, bl, false, true, DType.F32, denseBatch: [2, 3]), tags: ["bsmm", "batch"]);
        set.Add("bsmm/dsd/b16/batch-shared-weight/ta1-tb0", CaseClass.Numeric, Bsmm(SparseMode.Dsd, bl, true, false, DType.F32, denseBatch: [2]), tags: ["bsmm", "batch"]);
        set.Add("bsmm/dds/b16/batch-per-batch-sparse", CaseClass.Numeric, Bsmm(SparseMode.Dds, bl, false, false, DType.F32, denseBatch: [2], sparseBatch: [2]), tags: ["bsmm", "batch"]);
        set.Add("bsmm/sdd/b16/batch-rank4", CaseClass.Numeric, Bsmm(SparseMode.Sdd, bl, false, true, DType.F32, denseBatch: [2, 3]), tags: ["bsmm", "batch"]);
        set.Add("bsmm/dsd/b32/batch-per-batch-sparse/ta1-tb1", CaseClass.Numeric,
            Bsmm(SparseMode.Dsd, Layout("empty-row-col", 32), true, true, DType.F32, denseBatch: [3], sparseBatch: [3]), tags: ["bsmm", "batch"]);
        AddAttention(set);
        AddBlockSparseSoftmax(set);
    }

    // Block-sparse attention pieces: scores S = Q·Kᵀ on a T×T butterfly layout (Sdd), softmax on the blocks, P·V (Dsd).
    private static void AddAttention(CaseSet set)
    {
        const int t = 128, d = 24, bs = 16;
        var l = BlockLayout.FlatBlockButterfly(t, t, bs, 8, 2);
        set.Add("attention/sdd-scores/b16/batch2", CaseClass.Numeric,
            Single(b => b.BlockSparseMatMul(SparseMode.Sdd, l, b.Input("q", DType.F32, 2, t, d), b.Input("k", DType.F32, 2, t, d), transB: true)),
            tags: ["bsmm", "attention", "batch"]);
        set.Add("attention/dsd-pv/b16/batch2", CaseClass.Numeric,
            Single(b => b.BlockSparseMatMul(SparseMode.Dsd, l, Sparse(b, "p", DType.F32, l, 2), b.Input("v", DType.F32, 2, t, d))),
            G(("p", U(0, 0.2))), ["bsmm", "attention", "batch"]);
        set.Add("attention/full/b16/batch2", CaseClass.Numeric, Single(b =>
        {
            var s = b.BlockSparseMatMul(SparseMode.Sdd, l, b.Input("q", DType.F32, 2, t, d), b.Input("k", DType.F32, 2, t, d), transB: true);
            var p = b.BlockSparseSoftmax(l, s, 1 / Math.Sqrt(d));
            return b.BlockSparseMatMul(SparseMode.Dsd, l, p, b.Input("v", DType.F32, 2, t, d));
        }), tags: ["bsmm", "attention", "batch"]);
    }

    private static void AddBlockSparseSoftmax(CaseSet set)
    {
        var square = new (string Kind, BlockLayout Layout)[]
        {
            ("butterfly", BlockLayout.FlatBlockButterfly(128, 128, 16, 8, 2)),
            ("empty-row-col", BlockLayout.FromMask(SquareEmptyMask(), 32)),
            ("random", BlockLayout.Random(192, 192, 64, 0.5, 11)),
        };
        foreach (var (kind, l) in square)
        {
            string tag = $"b{l.BlockSize}/{kind}";
            set.Add($"block_sparse_softmax/{tag}", CaseClass.Numeric,
                Single(b => b.BlockSparseSoftmax(l, Sparse(b, "x", DType.F32, l), 0.125)), fallback: U(-8, 8), tags: ["bsmm-softmax", $"layout:{kind}"]);
            set.Add($"block_sparse_softmax/{tag}/batch2", CaseClass.Numeric,
                Single(b => b.BlockSparseSoftmax(l, Sparse(b, "x", DType.F32, l, 2))), fallback: U(-4, 4), tags: ["bsmm-softmax", "batch", $"layout:{kind}"]);
            set.Add($"block_sparse_softmax_grad/{tag}", CaseClass.Numeric,
                Single(b => b.Apply1(new BlockSparseSoftmaxGradOp(l, 0.5), Sparse(b, "y", DType.F32, l), Sparse(b, "dy", DType.F32, l))),
                G(("y", U(0, 0.1)), ("dy", Unit)), ["bsmm-softmax", $"layout:{kind}"]);
        }
        var bl = square[0].Layout;
        set.Add("block_sparse_softmax/b16/butterfly/bf16", CaseClass.Numeric,
            Single(b => b.BlockSparseSoftmax(bl, Sparse(b, "x", DType.BF16, bl))), fallback: U(-4, 4), tags: ["bsmm-softmax"]);
        set.Add("block_sparse_softmax_grad/b16/butterfly/batch2", CaseClass.Numeric,
            Single(b => b.Apply1(new BlockSparseSoftmaxGradOp(bl, 1.0), Sparse(b, "y", DType.F32, bl, 2), Sparse(b, "dy", DType.F32, bl, 2))),
            G(("y", U(0, 0.1)), ("dy", Unit)), ["bsmm-softmax", "batch"]);
    }

    // 4×4 blocks with block row 1 and block column 2 empty (a query block that sees nothing, a key block nobody sees).
    private static bool[,] SquareEmptyMask()
    {
        var mask = new bool[4, 4];
        for (int p = 0; p < 4; p++)
            for (int q = 0; q < 4; q++)
                mask[p, q] = p != 1 && q != 2 && (p + q) % 3 != 1;
        return mask;
    }
}
