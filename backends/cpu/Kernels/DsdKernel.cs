using System.Runtime.CompilerServices;
using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Layouts;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Dsd: C[M, N] = op(W) · op(B)[K, N], W block-sparse (CSR when op(W) = W, CSC when op(W) = Wᵀ). The mirror of
/// <see cref="DdsKernel"/>: op(W) is packed once per run into shared A panels (per output block row and MR-row tile,
/// the row's blocks one after another as [b][MR]); chunks of (batch, NC columns, a group of block rows) pack their
/// columns of op(B) over the whole K into per-worker [K][NR] panels and run the micro-kernel with the row's blocks as
/// gathered entries (the B offset of entry e is its block's k position). A block row without blocks is written as zeros.
/// With an epilogue (<see cref="FusedElementwiseKernel"/>) a chunk runs it on its block rows × NC columns once they are
/// written: each tile holds the whole K, so it is final.
/// </summary>
internal sealed unsafe class DsdKernel : Kernel, IParallelWork
{
    private const int NcTarget = 256;
    private const long BPackBudgetFloats = 1 << 18;
    private const int MinChunks = 32;

    private readonly int _w, _bDense, _c;
    private readonly int _m, _k, _n, _b, _batch, _nnz, _weightBatches;
    private readonly long _bBatchStride, _wBatchStride;
    private readonly nint _rsB, _csB, _rsW, _csW;
    private readonly bool _transA, _transB, _wide;
    private readonly BlockLists _lists;
    private readonly MicroKernel _mk;
    private readonly int _rowTiles, _nc, _tilesN, _linesPerGroup, _lineGroups;
    private readonly OffsetTable _aOffsets, _bOffsets;
    private readonly FusedElementwiseKernel? _epilogue;
    private RunContext? _ctx;
    private float* _pw, _pb, _pc;
    private bool _packPhase;

    public DsdKernel(int w, int bDense, int c, BlockLayout layout, int n, int batch, bool wBatched, bool transA, bool transB, bool wide,
        FusedElementwiseKernel? epilogue = null)
    {
        (_w, _bDense, _c, _n, _batch, _transA, _transB, _wide, _epilogue) = (w, bDense, c, n, batch, transA, transB, wide, epilogue);
        _b = layout.BlockSize;
        _nnz = layout.NnzBlocks;
        (_m, _k) = transA ? (layout.Cols, layout.Rows) : (layout.Rows, layout.Cols);
        _lists = transA ? BlockLists.ByColumn(layout) : BlockLists.ByRow(layout);
        _bBatchStride = (long)_k * n;
        _weightBatches = wBatched ? batch : 1;
        _wBatchStride = (long)_nnz * _b * _b;
        (_rsB, _csB) = transB ? ((nint)1, (nint)_k) : ((nint)n, (nint)1);
        // op(W) block (r, kk): W's block [r, kk], or [kk, r] when transposed.
        (_rsW, _csW) = transA ? ((nint)1, (nint)_b) : ((nint)_b, (nint)1);
        _mk = MicroKernel.ForDsd(wide, PanelLayout.KMajor);
        _rowTiles = (_b + _mk.Mr - 1) / _mk.Mr;
        int nr = _mk.Nr;
        _nc = Math.Max(nr, Math.Min(NcTarget, (int)Math.Min(int.MaxValue, BPackBudgetFloats / Math.Max(1, _k))) / nr * nr);
        _nc = Math.Min(_nc, GemmCore.RoundUp(Math.Max(1, n), nr));
        _tilesN = (n + _nc - 1) / _nc;
        int lines = _lists.Lines;
        int groups = Math.Clamp((MinChunks + batch * _tilesN - 1) / Math.Max(1, batch * _tilesN), 1, Math.Max(1, lines));
        _linesPerGroup = (lines + groups - 1) / groups;
        _lineGroups = (lines + _linesPerGroup - 1) / _linesPerGroup;
        _aOffsets = new OffsetTable(_nnz);
        _bOffsets = new OffsetTable(_nnz);
        for (int l = 0; l < lines; l++)
            for (int e = _lists.Start[l]; e < _lists.Start[l + 1]; e++)
            {
                _aOffsets[e] = (nint)(e - _lists.Start[l]) * _b * _mk.Mr;
                _bOffsets[e] = (nint)_lists.Other[e] * _b * nr;
            }
    }

    private long PackedWFloatsPerBatch => (long)_nnz * _b * _mk.Mr * _rowTiles;

    private long BPanelFloats => (long)_k * _mk.Nr;

    private long PackedBFloats => GemmCore.Aligned(BPanelFloats * (_nc / _mk.Nr));

    private long EpilogueOffset => GemmCore.Aligned(PackedBFloats + GemmCore.TileFloats(_mk));

    public override long ScratchFloatsPerWorker => EpilogueOffset + (_epilogue?.ScratchFloatsPerWorker ?? 0);

    public override long SharedScratchFloats => GemmCore.Aligned(PackedWFloatsPerBatch * _weightBatches);

    private int ComputeChunks => _batch * _tilesN * _lineGroups;

    public override string Describe() =>
        $"block_sparse dsd batch {_batch} {_m}x{_n}x{_k} b={_b} nnz={_nnz}{(_transA ? " transA (CSC)" : " (CSR)")}{(_transB ? " transB" : "")}" +
        $" micro {_mk.Name}, weights packed once per run, {_nc} columns x {_linesPerGroup} block row(s) per chunk, {ComputeChunks} chunk(s)" +
        (_epilogue is null ? "" : $"; {_epilogue.Describe()}");

    public override void Execute(RunContext ctx)
    {
        _ctx = ctx;
        _pw = ctx.F(_w);
        _pb = ctx.F(_bDense);
        _pc = ctx.F(_c);
        if (_n == 0) return;
        _packPhase = true;
        ctx.Pool.Run(this, _weightBatches * _lists.Lines);
        _packPhase = false;
        ctx.Pool.Run(this, ComputeChunks);
    }

    public void Execute(int chunk, int worker)
    {
        if (_packPhase)
            PackLine(chunk / _lists.Lines, chunk % _lists.Lines);
        else
            Compute(chunk, worker);
    }

    private float* LinePanel(int weightBatch, int line, int rowTile) =>
        _ctx!.SharedScratch + weightBatch * PackedWFloatsPerBatch
        + (long)_lists.Start[line] * _b * _mk.Mr * _rowTiles + (long)rowTile * _lists.Count(line) * _b * _mk.Mr;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackLine(int weightBatch, int line)
    {
        int e0 = _lists.Start[line], e1 = _lists.Start[line + 1], mr = _mk.Mr;
        float* w = _pw + weightBatch * _wBatchStride;
        for (int t = 0; t < _rowTiles; t++)
        {
            float* panel = LinePanel(weightBatch, line, t);
            int rows = Math.Min(mr, _b - t * mr);
            for (int e = e0; e < e1; e++)
            {
                float* block = w + (long)_lists.Block[e] * _b * _b + t * mr * _rsW;
                Packing.PackA(PanelLayout.KMajor, panel + (long)(e - e0) * _b * mr, (nint)_b * mr, block, _rsW, _csW, rows, _b, mr, _wide);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Compute(int chunk, int worker)
    {
        int perBatch = _tilesN * _lineGroups;
        int batch = chunk / perBatch, rest = chunk % perBatch;
        int j0 = rest / _lineGroups * _nc, group = rest % _lineGroups;
        int nc = Math.Min(_nc, _n - j0), mr = _mk.Mr, nr = _mk.Nr;
        float* packB = _ctx!.Scratch(worker);
        float* tile = packB + PackedBFloats;
        Packing.PackB(packB, (nint)BPanelFloats, _pb + batch * _bBatchStride + j0 * _csB, _rsB, _csB, _k, _k, nc, nr, _wide);
        int weightBatch = _weightBatches > 1 ? batch : 0;
        float* cCols = _pc + (long)batch * _m * _n + j0;
        int line0 = group * _linesPerGroup, line1 = Math.Min(_lists.Lines, line0 + _linesPerGroup);
        for (int line = line0; line < line1; line++)
        {
            int e0 = _lists.Start[line], entries = _lists.Count(line);
            float* cLine = cCols + (long)line * _b * _n;
            if (entries == 0)
            {
                GemmCore.ZeroBlock(cLine, _n, _b, nc);
                continue;
            }
            for (int t = 0; t < _rowTiles; t++)
            {
                float* panel = LinePanel(weightBatch, line, t);
                int m = Math.Min(mr, _b - t * mr);
                for (int j = 0, jp = 0; j < nc; j += nr, jp++)
                    GemmCore.Tile(_mk, entries, _b, panel, _aOffsets.Pointer + e0, packB + jp * BPanelFloats, _bOffsets.Pointer + e0,
                        cLine + (long)t * mr * _n + j, _n, m, Math.Min(nr, nc - j), accumulate: false, tile);
            }
        }
        if (_epilogue is null) return;
        // Rows of C seen as [batch·M, N]; the group's rows are its block rows' (zero rows included).
        int row0 = line0 * _b, row1 = Math.Min(_m, line1 * _b);
        if (row1 > row0)
            _epilogue.ApplyTile(_ctx, packB + EpilogueOffset, (long)batch * _m + row0, row1 - row0, j0, nc, _n);
    }
}
