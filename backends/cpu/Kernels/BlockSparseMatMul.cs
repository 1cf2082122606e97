using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Layouts;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Lookup tables for a block-sparse operand: for each output block line (a block row or block column of the
/// layout), the stored blocks that contribute to it, as (storage index of the block, index of the block along the
/// reduction). Built from the layout's CSR (per block row: (block, col)) or CSC index (per block col: (block, row)).
/// </summary>
internal sealed class BlockLists
{
    private BlockLists(int[] start, int[] block, int[] other)
    {
        Start = start;
        Block = block;
        Other = other;
    }

    /// <summary>Entries of line l are [Start[l], Start[l+1]).</summary>
    public int[] Start { get; }

    /// <summary>Storage index of the block (block-CSR order).</summary>
    public int[] Block { get; }

    /// <summary>The block's other coordinate: its column for row lists, its row for column lists.</summary>
    public int[] Other { get; }

    /// <summary>Number of lines.</summary>
    public int Lines => Start.Length - 1;

    /// <summary>Largest number of entries on one line.</summary>
    public int MaxEntries
    {
        get
        {
            int max = 0;
            for (int l = 0; l < Lines; l++) max = Math.Max(max, Start[l + 1] - Start[l]);
            return max;
        }
    }

    /// <summary>Per block row p: the stored blocks (p, q), ascending q.</summary>
    public static BlockLists ByRow(BlockLayout layout) =>
        new(layout.RowPtr.ToArray(), Enumerable.Range(0, layout.NnzBlocks).ToArray(), layout.ColIdx.ToArray());

    /// <summary>Per block column q: the stored blocks (p, q), ascending p, via the CSC index.</summary>
    public static BlockLists ByColumn(BlockLayout layout) =>
        new(layout.ColPtr.ToArray(), layout.CscBlockIndex.ToArray(), layout.CscRowIdx.ToArray());
}

/// <summary>
/// Dds: C[M, N] = op(A)[M, K] · op(W), W block-sparse. A chunk owns (batch, MC rows, one output block column);
/// the blocks feeding that column (CSC when op(W) = W, CSR when op(W) = Wᵀ) are consumed in passes: the matching
/// b-wide column strips of A and the blocks (transposed by packing strides when op(W) = Wᵀ) are packed, then the
/// micro-kernel runs. A column with no stored blocks is written as zeros.
/// </summary>
internal sealed unsafe class DdsKernel : Kernel, IParallelWork
{
    private readonly int _a, _w, _c;
    private readonly int _m, _k, _n, _b, _batch, _nnz;
    private readonly long _aBatchStride, _wBatchStride;
    private readonly nint _rsA, _csA, _rsW, _csW;
    private readonly bool _transA, _transB;
    private readonly BlockLists _lists;
    private readonly MicroKernel _mk;
    private readonly int _mcBlock, _entriesPerPass, _tilesM;
    private RunContext? _ctx;
    private float* _pa, _pw, _pc;

    public DdsKernel(int a, int w, int c, BlockLayout layout, int m, int batch, bool wBatched, bool transA, bool transB, bool wide)
    {
        (_a, _w, _c, _m, _batch, _transA, _transB) = (a, w, c, m, batch, transA, transB);
        _b = layout.BlockSize;
        _nnz = layout.NnzBlocks;
        (_k, _n) = transB ? (layout.Cols, layout.Rows) : (layout.Rows, layout.Cols);
        _lists = transB ? BlockLists.ByRow(layout) : BlockLists.ByColumn(layout);
        _aBatchStride = (long)m * _k;
        _wBatchStride = wBatched ? (long)_nnz * _b * _b : 0;
        (_rsA, _csA) = transA ? ((nint)1, (nint)m) : ((nint)_k, (nint)1);
        // op(W) block (r, c): W's block [r, c], or [c, r] when transposed.
        (_rsW, _csW) = transB ? ((nint)1, (nint)_b) : ((nint)_b, (nint)1);
        _mk = MicroKernel.Select(wide, _b);
        _mcBlock = _mk.Mr * 16;
        _entriesPerPass = Math.Max(1, GemmCore.KcDense / _b);
        _tilesM = (m + _mcBlock - 1) / _mcBlock;
    }

    private int KcMax => _entriesPerPass * _b;

    private long PackedAFloats => GemmCore.Aligned((long)_mcBlock * KcMax);

    private long PackedBFloats => GemmCore.Aligned((long)GemmCore.RoundUp(_b, _mk.Nr) * KcMax);

    public override long ScratchFloatsPerWorker => PackedAFloats + PackedBFloats + GemmCore.Aligned(_mk.Mr * _mk.Nr);

    private int Chunks => _batch * _tilesM * _lists.Lines;

    public override string Describe() =>
        $"block_sparse dds batch {_batch} {_m}x{_n}x{_k} b={_b} nnz={_nnz}{(_transA ? " transA" : "")}{(_transB ? " transB (CSR)" : " (CSC)")}" +
        $" micro {_mk.Name}, {Chunks} chunk(s)";

    public override void Execute(RunContext ctx)
    {
        _ctx = ctx;
        _pa = ctx.F(_a);
        _pw = ctx.F(_w);
        _pc = ctx.F(_c);
        ctx.Pool.Run(this, Chunks);
    }

    public void Execute(int chunk, int worker)
    {
        int perBatch = _tilesM * _lists.Lines;
        int batch = chunk / perBatch, rest = chunk % perBatch;
        int i0 = rest / _lists.Lines * _mcBlock, jb = rest % _lists.Lines;
        int mc = Math.Min(_mcBlock, _m - i0);
        float* a = _pa + batch * _aBatchStride + i0 * _rsA;
        float* w = _pw + batch * _wBatchStride;
        float* c = _pc + (long)batch * _m * _n + (long)i0 * _n + (long)jb * _b;
        int e0 = _lists.Start[jb], e1 = _lists.Start[jb + 1];
        if (e0 == e1)
        {
            GemmCore.ZeroBlock(c, _n, mc, _b);
            return;
        }
        float* packA = _ctx!.Scratch(worker);
        float* packB = packA + PackedAFloats;
        float* tile = packB + PackedBFloats;
        int mr = _mk.Mr, nr = _mk.Nr;
        for (int p0 = e0; p0 < e1; p0 += _entriesPerPass)
        {
            int p1 = Math.Min(e1, p0 + _entriesPerPass);
            int kc = (p1 - p0) * _b;
            for (int e = p0; e < p1; e++)
            {
                int koff = (e - p0) * _b;
                float* aStrip = a + (long)_lists.Other[e] * _b * _csA;
                float* block = w + (long)_lists.Block[e] * _b * _b;
                GemmCore.PackA(packA + koff * mr, (nint)kc * mr, aStrip, _rsA, _csA, mc, _b, mr);
                GemmCore.PackB(packB + koff * nr, (nint)kc * nr, block, _rsW, _csW, _b, _b, nr);
            }
            GemmCore.Macro(_mk, mc, _b, kc, packA, packB, c, _n, accumulate: p0 > e0, tile);
        }
    }
}

/// <summary>
/// Dsd: C[M, N] = op(W) · op(B)[K, N], W block-sparse. A chunk owns (batch, one output block row, NC columns); the
/// blocks of that row of op(W) (CSR when op(W) = W, CSC when op(W) = Wᵀ) and the matching b-high row strips of B
/// are packed in passes. A row with no stored blocks is written as zeros.
/// </summary>
internal sealed unsafe class DsdKernel : Kernel, IParallelWork
{
    private readonly int _w, _bDense, _c;
    private readonly int _m, _k, _n, _b, _batch, _nnz;
    private readonly long _bBatchStride, _wBatchStride;
    private readonly nint _rsB, _csB, _rsW, _csW;
    private readonly bool _transA, _transB;
    private readonly BlockLists _lists;
    private readonly MicroKernel _mk;
    private readonly int _ncBlock, _entriesPerPass, _tilesN;
    private RunContext? _ctx;
    private float* _pw, _pb, _pc;

    public DsdKernel(int w, int bDense, int c, BlockLayout layout, int n, int batch, bool wBatched, bool transA, bool transB, bool wide)
    {
        (_w, _bDense, _c, _n, _batch, _transA, _transB) = (w, bDense, c, n, batch, transA, transB);
        _b = layout.BlockSize;
        _nnz = layout.NnzBlocks;
        (_m, _k) = transA ? (layout.Cols, layout.Rows) : (layout.Rows, layout.Cols);
        _lists = transA ? BlockLists.ByColumn(layout) : BlockLists.ByRow(layout);
        _bBatchStride = (long)_k * n;
        _wBatchStride = wBatched ? (long)_nnz * _b * _b : 0;
        (_rsB, _csB) = transB ? ((nint)1, (nint)_k) : ((nint)n, (nint)1);
        (_rsW, _csW) = transA ? ((nint)1, (nint)_b) : ((nint)_b, (nint)1);
        _mk = MicroKernel.Select(wide, n);
        _ncBlock = _mk.Nr * 8;
        _entriesPerPass = Math.Max(1, GemmCore.KcDense / _b);
        _tilesN = (n + _ncBlock - 1) / _ncBlock;
    }

    private int KcMax => _entriesPerPass * _b;

    private long PackedAFloats => GemmCore.Aligned((long)GemmCore.RoundUp(_b, _mk.Mr) * KcMax);

    private long PackedBFloats => GemmCore.Aligned((long)_ncBlock * KcMax);

    public override long ScratchFloatsPerWorker => PackedAFloats + PackedBFloats + GemmCore.Aligned(_mk.Mr * _mk.Nr);

    private int Chunks => _batch * _lists.Lines * _tilesN;

    public override string Describe() =>
        $"block_sparse dsd batch {_batch} {_m}x{_n}x{_k} b={_b} nnz={_nnz}{(_transA ? " transA (CSC)" : " (CSR)")}{(_transB ? " transB" : "")}" +
        $" micro {_mk.Name}, {Chunks} chunk(s)";

    public override void Execute(RunContext ctx)
    {
        _ctx = ctx;
        _pw = ctx.F(_w);
        _pb = ctx.F(_bDense);
        _pc = ctx.F(_c);
        ctx.Pool.Run(this, Chunks);
    }

    public void Execute(int chunk, int worker)
    {
        int perBatch = _lists.Lines * _tilesN;
        int batch = chunk / perBatch, rest = chunk % perBatch;
        int ib = rest / _tilesN, j0 = rest % _tilesN * _ncBlock;
        int nc = Math.Min(_ncBlock, _n - j0);
        float* bDense = _pb + batch * _bBatchStride + j0 * _csB;
        float* w = _pw + batch * _wBatchStride;
        float* c = _pc + (long)batch * _m * _n + (long)ib * _b * _n + j0;
        int e0 = _lists.Start[ib], e1 = _lists.Start[ib + 1];
        if (e0 == e1)
        {
            GemmCore.ZeroBlock(c, _n, _b, nc);
            return;
        }
        float* packA = _ctx!.Scratch(worker);
        float* packB = packA + PackedAFloats;
        float* tile = packB + PackedBFloats;
        int mr = _mk.Mr, nr = _mk.Nr;
        for (int p0 = e0; p0 < e1; p0 += _entriesPerPass)
        {
            int p1 = Math.Min(e1, p0 + _entriesPerPass);
            int kc = (p1 - p0) * _b;
            for (int e = p0; e < p1; e++)
            {
                int koff = (e - p0) * _b;
                float* block = w + (long)_lists.Block[e] * _b * _b;
                float* bStrip = bDense + (long)_lists.Other[e] * _b * _rsB;
                GemmCore.PackA(packA + koff * mr, (nint)kc * mr, block, _rsW, _csW, _b, _b, mr);
                GemmCore.PackB(packB + koff * nr, (nint)kc * nr, bStrip, _rsB, _csB, _b, nc, nr);
            }
            GemmCore.Macro(_mk, _b, nc, kc, packA, packB, c, _n, accumulate: p0 > e0, tile);
        }
    }
}

/// <summary>
/// Sdd: the stored blocks of C = op(A)[M, K] · op(B)[K, N], C laid out [batch, nnz, b, b]; nothing outside the
/// layout's blocks is computed or written. A chunk owns (batch, one block row p): per K pass it packs A's b rows of
/// block row p once, then for each stored block (p, q) packs B's b columns of block column q and runs the
/// micro-kernel into that block.
/// </summary>
internal sealed unsafe class SddKernel : Kernel, IParallelWork
{
    private readonly int _a, _bDense, _c;
    private readonly int _m, _k, _n, _b, _batch, _nnz;
    private readonly nint _rsA, _csA, _rsB, _csB;
    private readonly bool _transA, _transB;
    private readonly BlockLists _rows;
    private readonly MicroKernel _mk;
    private RunContext? _ctx;
    private float* _pa, _pb, _pc;

    public SddKernel(int a, int bDense, int c, BlockLayout layout, int k, int batch, bool transA, bool transB, bool wide)
    {
        (_a, _bDense, _c, _k, _batch, _transA, _transB) = (a, bDense, c, k, batch, transA, transB);
        (_m, _n, _b, _nnz) = (layout.Rows, layout.Cols, layout.BlockSize, layout.NnzBlocks);
        _rows = BlockLists.ByRow(layout);
        (_rsA, _csA) = transA ? ((nint)1, (nint)_m) : ((nint)k, (nint)1);
        (_rsB, _csB) = transB ? ((nint)1, (nint)k) : ((nint)_n, (nint)1);
        _mk = MicroKernel.Select(wide, _b);
    }

    private long PackedAFloats => GemmCore.Aligned((long)GemmCore.RoundUp(_b, _mk.Mr) * GemmCore.KcDense);

    private long PackedBFloats => GemmCore.Aligned((long)GemmCore.RoundUp(_b, _mk.Nr) * GemmCore.KcDense);

    public override long ScratchFloatsPerWorker => PackedAFloats + PackedBFloats + GemmCore.Aligned(_mk.Mr * _mk.Nr);

    private int Chunks => _batch * _rows.Lines;

    public override string Describe() =>
        $"block_sparse sdd batch {_batch} {_m}x{_n}x{_k} b={_b} nnz={_nnz}{(_transA ? " transA" : "")}{(_transB ? " transB" : "")}" +
        $" micro {_mk.Name}, {Chunks} chunk(s)";

    public override void Execute(RunContext ctx)
    {
        _ctx = ctx;
        _pa = ctx.F(_a);
        _pb = ctx.F(_bDense);
        _pc = ctx.F(_c);
        ctx.Pool.Run(this, Chunks);
    }

    public void Execute(int chunk, int worker)
    {
        int batch = chunk / _rows.Lines, p = chunk % _rows.Lines;
        int e0 = _rows.Start[p], e1 = _rows.Start[p + 1];
        if (e0 == e1) return;
        long blockElems = (long)_b * _b;
        float* a = _pa + batch * (long)_m * _k + (long)p * _b * _rsA;
        float* bDense = _pb + batch * (long)_k * _n;
        float* c = _pc + batch * _nnz * blockElems;
        float* packA = _ctx!.Scratch(worker);
        float* packB = packA + PackedAFloats;
        float* tile = packB + PackedBFloats;
        int mr = _mk.Mr, nr = _mk.Nr;
        for (int k0 = 0; ; k0 += GemmCore.KcDense)
        {
            int kc = Math.Min(GemmCore.KcDense, _k - k0);
            GemmCore.PackA(packA, (nint)kc * mr, a + k0 * _csA, _rsA, _csA, _b, kc, mr);
            for (int e = e0; e < e1; e++)
            {
                float* bStrip = bDense + k0 * _rsB + (long)_rows.Other[e] * _b * _csB;
                GemmCore.PackB(packB, (nint)kc * nr, bStrip, _rsB, _csB, kc, _b, nr);
                GemmCore.Macro(_mk, _b, _b, kc, packA, packB, c + _rows.Block[e] * blockElems, _b, accumulate: k0 > 0, tile);
            }
            if (k0 + GemmCore.KcDense >= _k) break;
        }
    }
}
