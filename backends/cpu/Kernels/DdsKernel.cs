using System.Runtime.CompilerServices;
using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Layouts;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Dds: C[M, N] = op(A)[M, K] · op(W), W block-sparse (the Pixelfly forward Y = X·Wᵀ with op(W) = Wᵀ via the CSR
/// index, and the input gradient dX = dY·W via the CSC index). Two phases per run:
/// <list type="number">
/// <item>Pack op(W) once into shared panels: for each output block column ("line") and each NR-wide column tile,
/// its blocks one after another as [b][NR], in the line's entry order. Skipped when op(W) = W and NR = b (dX): a
/// stored block already is such a panel and the kernel reads the weights in place.</item>
/// <item>Chunks of (batch, MC rows, a group of lines): pack the MC rows of op(A) over the whole K once into per-worker
/// panels (L2), then for each line run the micro-kernel over the line's blocks as gathered entries (the A offset of
/// entry e is its block's k position), so a tile's accumulators stay in registers across all the line's blocks and
/// the line's weights are reused from L1/L2 across the MR panels. A line without blocks is written as zeros.</item>
/// </list>
/// Chunks split M first (A is then packed once per run); lines are split only when M gives too few chunks to keep
/// every worker busy, however few block rows the layout has. With an epilogue (<see cref="FusedElementwiseKernel"/>)
/// a chunk runs it on its MC rows × its lines' columns once they are written: each tile holds the whole K, so it is final.
/// </summary>
internal sealed unsafe class DdsKernel : Kernel, IParallelWork
{
    // Rows of op(A) per chunk (packed over the whole K: 120×2048 floats ≈ 1 MiB at the headline shape, half of L2),
    // capped so that a long K still fits the budget; and the chunk count below which lines are split too.
    private const int McTarget = 120;
    private const long APackBudgetFloats = 1 << 18;
    private const int MinChunks = 8;

    private readonly int _a, _w, _c;
    private readonly int _m, _k, _n, _b, _batch, _nnz, _weightBatches;
    private readonly long _aBatchStride, _wBatchStride;
    private readonly nint _rsA, _csA, _rsW, _csW;
    private readonly bool _transA, _transB, _wide, _direct;
    private readonly BlockLists _lists;
    private readonly MicroKernel _mk;
    private readonly int _columnTiles, _mc, _tilesM, _linesPerGroup, _lineGroups;
    private readonly OffsetTable _aOffsets, _bOffsets;
    private readonly FusedElementwiseKernel? _epilogue;
    private RunContext? _ctx;
    private float* _pa, _pw, _pc;
    private bool _packPhase;

    public DdsKernel(int a, int w, int c, BlockLayout layout, int m, int batch, bool wBatched, bool transA, bool transB, bool wide,
        FusedElementwiseKernel? epilogue = null)
    {
        (_a, _w, _c, _m, _batch, _transA, _transB, _wide, _epilogue) = (a, w, c, m, batch, transA, transB, wide, epilogue);
        _b = layout.BlockSize;
        _nnz = layout.NnzBlocks;
        (_k, _n) = transB ? (layout.Cols, layout.Rows) : (layout.Rows, layout.Cols);
        _lists = transB ? BlockLists.ByRow(layout) : BlockLists.ByColumn(layout);
        _aBatchStride = (long)m * _k;
        _weightBatches = wBatched ? batch : 1;
        _wBatchStride = (long)_nnz * _b * _b;
        (_rsA, _csA) = transA ? ((nint)1, (nint)m) : ((nint)_k, (nint)1);
        // op(W) block (kk, c): W's block [kk, c], or [c, kk] when transposed.
        (_rsW, _csW) = transB ? ((nint)1, (nint)_b) : ((nint)_b, (nint)1);
        var aLayout = !transA && _b % 16 == 0 ? PanelLayout.K16 : PanelLayout.KMajor;
        _mk = MicroKernel.ForDds(wide, _b, aLayout);
        _columnTiles = (_b + _mk.Nr - 1) / _mk.Nr;
        int mr = _mk.Mr;
        _mc = Math.Max(mr, Math.Min(McTarget, (int)Math.Min(int.MaxValue, APackBudgetFloats / Math.Max(1, _k))) / mr * mr);
        _mc = Math.Min(_mc, GemmCore.RoundUp(Math.Max(1, m), mr));
        _tilesM = (m + _mc - 1) / _mc;
        int lines = _lists.Lines;
        int groups = Math.Clamp((MinChunks + batch * _tilesM - 1) / Math.Max(1, batch * _tilesM), 1, Math.Max(1, lines));
        _linesPerGroup = (lines + groups - 1) / groups;
        _lineGroups = (lines + _linesPerGroup - 1) / _linesPerGroup;
        // Entry e of line l: its A strip starts at k = Other[e]·b (K16 and KMajor panels both hold MR floats per k
        // there); its weights sit (e − Start[l])·b·NR into the line's packed column-tile panel, or, read in place, at
        // its block's storage offset.
        _direct = !transB && _mk.Nr == _b;
        _aOffsets = new OffsetTable(_nnz);
        _bOffsets = new OffsetTable(_nnz);
        for (int l = 0; l < lines; l++)
            for (int e = _lists.Start[l]; e < _lists.Start[l + 1]; e++)
            {
                _aOffsets[e] = (nint)_lists.Other[e] * _b * mr;
                _bOffsets[e] = _direct ? (nint)_lists.Block[e] * _b * _b : (nint)(e - _lists.Start[l]) * _b * _mk.Nr;
            }
    }

    private long PackedWFloatsPerBatch => (long)_nnz * _b * _mk.Nr * _columnTiles;

    private long APanelFloats => _mk.APanelFloats(_k);

    private long PackedAFloats => GemmCore.Aligned(APanelFloats * (_mc / _mk.Mr));

    private long EpilogueOffset => GemmCore.Aligned(PackedAFloats + GemmCore.TileFloats(_mk));

    public override long ScratchFloatsPerWorker => EpilogueOffset + (_epilogue?.ScratchFloatsPerWorker ?? 0);

    public override long SharedScratchFloats => _direct ? 0 : GemmCore.Aligned(PackedWFloatsPerBatch * _weightBatches);

    private int ComputeChunks => _batch * _tilesM * _lineGroups;

    public override string Describe() =>
        $"block_sparse dds batch {_batch} {_m}x{_n}x{_k} b={_b} nnz={_nnz}{(_transA ? " transA" : "")}{(_transB ? " transB (CSR)" : " (CSC)")}" +
        $" micro {_mk.Name}, {(_direct ? "weights read in place" : "weights packed once per run")}, {_mc} rows x {_linesPerGroup} block column(s) per chunk, {ComputeChunks} chunk(s)" +
        (_epilogue is null ? "" : $"; {_epilogue.Describe()}");

    public override void Execute(RunContext ctx)
    {
        _ctx = ctx;
        _pa = ctx.F(_a);
        _pw = ctx.F(_w);
        _pc = ctx.F(_c);
        if (_m == 0) return;
        _packPhase = true;
        if (!_direct) ctx.Pool.Run(this, _weightBatches * _lists.Lines);
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

    // Where the micro-kernel reads a line's weights for one column tile (the entry offsets are relative to it).
    private float* LinePanel(int weightBatch, int line, int columnTile) => _direct
        ? _pw + weightBatch * _wBatchStride
        : _ctx!.SharedScratch + weightBatch * PackedWFloatsPerBatch
          + (long)_lists.Start[line] * _b * _mk.Nr * _columnTiles + (long)columnTile * _lists.Count(line) * _b * _mk.Nr;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackLine(int weightBatch, int line)
    {
        int e0 = _lists.Start[line], e1 = _lists.Start[line + 1], nr = _mk.Nr;
        float* w = _pw + weightBatch * _wBatchStride;
        for (int t = 0; t < _columnTiles; t++)
        {
            float* panel = LinePanel(weightBatch, line, t);
            int cols = Math.Min(nr, _b - t * nr);
            for (int e = e0; e < e1; e++)
            {
                float* block = w + (long)_lists.Block[e] * _b * _b + t * nr * _csW;
                Packing.PackB(panel + (long)(e - e0) * _b * nr, (nint)_b * nr, block, _rsW, _csW, _b, _b, cols, nr, _wide);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Compute(int chunk, int worker)
    {
        int perBatch = _tilesM * _lineGroups;
        int batch = chunk / perBatch, rest = chunk % perBatch;
        int i0 = rest / _lineGroups * _mc, group = rest % _lineGroups;
        int mc = Math.Min(_mc, _m - i0), mr = _mk.Mr, nr = _mk.Nr;
        float* packA = _ctx!.Scratch(worker);
        float* tile = packA + PackedAFloats;
        Packing.PackA(_mk.Layout, packA, (nint)APanelFloats, _pa + batch * _aBatchStride + i0 * _rsA, _rsA, _csA, mc, _k, mr, _wide);
        int weightBatch = _weightBatches > 1 ? batch : 0;
        float* cRows = _pc + (long)batch * _m * _n + (long)i0 * _n;
        int line0 = group * _linesPerGroup, line1 = Math.Min(_lists.Lines, line0 + _linesPerGroup);
        for (int line = line0; line < line1; line++)
        {
            int e0 = _lists.Start[line], entries = _lists.Count(line);
            float* cLine = cRows + (long)line * _b;
            if (entries == 0)
            {
                GemmCore.ZeroBlock(cLine, _n, mc, _b);
                continue;
            }
            for (int t = 0; t < _columnTiles; t++)
            {
                float* panel = LinePanel(weightBatch, line, t);
                int n = Math.Min(nr, _b - t * nr);
                for (int i = 0, ip = 0; i < mc; i += mr, ip++)
                    GemmCore.Tile(_mk, entries, _b, packA + ip * APanelFloats, _aOffsets.Pointer + e0, panel, _bOffsets.Pointer + e0,
                        cLine + (long)i * _n + t * nr, _n, Math.Min(mr, mc - i), n, accumulate: false, tile);
            }
        }
        if (_epilogue is null) return;
        // Rows of C seen as [batch·M, N]; the group's columns are its lines' (zero lines included).
        int col0 = line0 * _b, col1 = Math.Min(_n, line1 * _b);
        if (col1 > col0)
            _epilogue.ApplyTile(_ctx, packA + EpilogueOffset, (long)batch * _m + i0, mc, col0, col1 - col0, _n);
    }
}
