using System.Runtime.CompilerServices;
using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Layouts;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Sdd: the stored blocks of C = op(A)[M, K] · op(B)[K, N] (the Pixelfly weight gradient dW = dYᵀ·X on the layout),
/// C laid out [batch, nnz, b, b]; nothing outside the layout's blocks is computed or written. K is taken in passes of
/// <see cref="Kc"/>. A pass first packs, once and into shared panels, the b rows of op(A) of every block row that has
/// blocks and the b columns of op(B) of every block column that has blocks; then chunks of consecutive stored blocks
/// run the micro-kernel over each block's MR×NR tiles. The passes are pipelined over two panel sets: one dispatch
/// computes pass p while it packs pass p + 1, so a run of P passes takes P + 1 dispatches and packing overlaps the
/// compute on the other worker. Splitting by blocks keeps every worker busy however few block rows there are; passes
/// are added in a fixed order (the first writes), so results do not depend on the thread count.
/// </summary>
internal sealed unsafe class SddKernel : Kernel, IParallelWork
{
    // K per pass. A block reads only its own two panels (2 × 32 × 256 floats, in L2), so the whole pass's set need not
    // fit there; 256 instead of 128 halves the dispatches and the read-modify-writes of C (Sdd of the Mixer's
    // channel MLPs ~10% faster, docs/TRAINING.md), and 512 gained nothing more.
    private const int Kc = 256;
    private const int TargetChunks = 128;
    private const int KRowsPerChunk = Packing.KBlock;

    /// <summary>One K pass: its k range and the panel set it is packed into.</summary>
    private readonly record struct Pass(int K0, int Kc, nint PanelSet);

    private readonly int _a, _bDense, _c;
    private readonly int _m, _k, _n, _b, _batch, _nnz;
    private readonly nint _rsA, _csA, _rsB, _csB;
    private readonly bool _transA, _transB, _wide;
    // Operands stored with k as the row index (op(A) = Aᵀ, op(B) = B) are packed 16 rows of k at a time across every
    // line's panels, so each source row is read as one stream; the others (k contiguous) are packed line by line.
    private readonly bool _aByKRows, _bByKRows;
    private readonly MicroKernel _mk;
    private readonly int _rowTiles, _colTiles, _blocksPerChunk;
    private readonly int[] _activeRows, _activeCols, _rowOf, _colOf;
    private RunContext? _ctx;
    private float* _pa, _pb, _pc;
    private int _batchIndex, _computeChunks, _packChunks;
    private Pass _computing, _packing;

    public SddKernel(int a, int bDense, int c, BlockLayout layout, int k, int batch, bool transA, bool transB, bool wide)
    {
        (_a, _bDense, _c, _k, _batch, _transA, _transB, _wide) = (a, bDense, c, k, batch, transA, transB, wide);
        (_m, _n, _b, _nnz) = (layout.Rows, layout.Cols, layout.BlockSize, layout.NnzBlocks);
        (_rsA, _csA) = transA ? ((nint)1, (nint)_m) : ((nint)k, (nint)1);
        (_rsB, _csB) = transB ? ((nint)1, (nint)k) : ((nint)_n, (nint)1);
        _mk = MicroKernel.ForSdd(wide, _b, transA ? PanelLayout.KMajor : PanelLayout.K16);
        (_aByKRows, _bByKRows) = (transA, !transB);
        _rowTiles = (_b + _mk.Mr - 1) / _mk.Mr;
        _colTiles = (_b + _mk.Nr - 1) / _mk.Nr;
        _blocksPerChunk = Math.Max(1, (_nnz + TargetChunks - 1) / TargetChunks);
        _rowOf = layout.BlockRowOfEachBlock();
        _colOf = layout.ColIdx.ToArray();
        _activeRows = Enumerable.Range(0, layout.BlockRows).Where(p => layout.RowPtr[p + 1] > layout.RowPtr[p]).ToArray();
        _activeCols = Enumerable.Range(0, layout.BlockCols).Where(q => layout.ColPtr[q + 1] > layout.ColPtr[q]).ToArray();
    }

    private int KcMax => Math.Max(1, Math.Min(Kc, _k));

    private int Passes => (_k + Kc - 1) / Kc;

    // A panel set: block row p's A panels at p·RowTiles·APanelMax, then block column q's B panels.
    private long APanelMax => _mk.APanelFloats(KcMax);

    private long BPanelMax => (long)_mk.PadK(KcMax) * _mk.Nr;

    private long PackedAFloats => GemmCore.Aligned((long)(_m / _b) * _rowTiles * APanelMax);

    private long PanelSetFloats => PackedAFloats + GemmCore.Aligned((long)(_n / _b) * _colTiles * BPanelMax);

    public override long ScratchFloatsPerWorker => GemmCore.TileFloats(_mk);

    public override long SharedScratchFloats => (Passes > 1 ? 2 : 1) * PanelSetFloats;

    private int BlockChunks => (_nnz + _blocksPerChunk - 1) / _blocksPerChunk;

    private int KRowChunks(int kc) => _aByKRows || _bByKRows ? (_mk.PadK(kc) + KRowsPerChunk - 1) / KRowsPerChunk : 0;

    private int PackChunks(int kc) => KRowChunks(kc) + (_aByKRows ? 0 : _activeRows.Length) + (_bByKRows ? 0 : _activeCols.Length);

    public override string Describe() =>
        $"block_sparse sdd batch {_batch} {_m}x{_n}x{_k} b={_b} nnz={_nnz}{(_transA ? " transA" : "")}{(_transB ? " transB" : "")}" +
        $" micro {_mk.Name}, {Passes} pipelined K pass(es) of {KcMax} over shared packed panels, {_blocksPerChunk} block(s) per chunk, {BlockChunks} chunk(s)";

    public override void Execute(RunContext ctx)
    {
        _ctx = ctx;
        _pa = ctx.F(_a);
        _pb = ctx.F(_bDense);
        _pc = ctx.F(_c);
        for (_batchIndex = 0; _batchIndex < _batch; _batchIndex++)
        {
            if (_k == 0)
            {
                (_computeChunks, _packChunks) = (0, 0);
                ctx.Pool.Run(this, BlockChunks); // chunks past the compute and pack ones zero their blocks
                continue;
            }
            // Dispatch d computes pass d − 1 and packs pass d.
            for (int d = 0; d <= Passes; d++)
            {
                _computeChunks = d > 0 ? BlockChunks : 0;
                _computing = d > 0 ? PassAt(d - 1) : default;
                _packing = d < Passes ? PassAt(d) : default;
                _packChunks = d < Passes ? PackChunks(_packing.Kc) : 0;
                // Stable: a block's chunk stays on the same worker from pass to pass, and so do its C lines.
                ctx.Pool.Run(this, _computeChunks + _packChunks, stable: true);
            }
        }
    }

    private Pass PassAt(int index)
    {
        int k0 = index * Kc;
        return new Pass(k0, Math.Min(Kc, _k - k0), (nint)(_ctx!.SharedScratch + (index % 2) * PanelSetFloats));
    }

    public void Execute(int chunk, int worker)
    {
        if (_k == 0)
        {
            ZeroBlocks(chunk);
            return;
        }
        if (chunk < _computeChunks)
        {
            Compute(chunk, worker);
            return;
        }
        chunk -= _computeChunks;
        int kRowChunks = KRowChunks(_packing.Kc);
        if (chunk < kRowChunks)
        {
            PackKRows(chunk);
            return;
        }
        chunk -= kRowChunks;
        if (!_aByKRows && chunk < _activeRows.Length) PackRow(_activeRows[chunk]);
        else PackColumn(_activeCols[chunk - (_aByKRows ? 0 : _activeRows.Length)]);
    }

    private float* RowPanels(in Pass pass, int p) => (float*)pass.PanelSet + (long)p * _rowTiles * APanelMax;

    private float* ColumnPanels(in Pass pass, int q) => (float*)pass.PanelSet + PackedAFloats + (long)q * _colTiles * BPanelMax;

    private void ZeroBlocks(int chunk)
    {
        int e1 = Math.Min(_nnz, (chunk + 1) * _blocksPerChunk);
        long blockElems = (long)_b * _b;
        for (int e = chunk * _blocksPerChunk; e < e1; e++)
            new Span<float>(_pc + (_batchIndex * (long)_nnz + e) * blockElems, (int)blockElems).Clear();
    }

    // Rows [k0, k1) of the pass being packed (past its end: zeros, the K16 padding) into every line's panels, line by
    // line, so that the chunk's rows are each read as one stream.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackKRows(int chunk)
    {
        var pass = _packing;
        int mr = _mk.Mr, nr = _mk.Nr, kp = _mk.PadK(pass.Kc);
        int k0 = chunk * KRowsPerChunk, k1 = Math.Min(kp, k0 + KRowsPerChunk), rows = Math.Max(0, Math.Min(pass.Kc, k1) - k0);
        long aPanel = _mk.APanelFloats(pass.Kc), bPanel = (long)kp * nr;
        if (_aByKRows)
        {
            float* src = _pa + _batchIndex * (long)_m * _k + (long)(pass.K0 + k0) * _m;
            foreach (int p in _activeRows)
                for (int rt = 0; rt < _rowTiles; rt++)
                    Packing.CopyRows(RowPanels(pass, p) + rt * aPanel + k0 * mr, mr, src + p * _b + rt * mr, _m, rows, Math.Min(mr, _b - rt * mr), mr, _wide);
        }
        if (_bByKRows)
        {
            float* src = _pb + _batchIndex * (long)_k * _n + (long)(pass.K0 + k0) * _n;
            foreach (int q in _activeCols)
                for (int ct = 0; ct < _colTiles; ct++)
                {
                    float* panel = ColumnPanels(pass, q) + ct * bPanel;
                    Packing.CopyRows(panel + k0 * nr, nr, src + q * _b + ct * nr, _n, rows, Math.Min(nr, _b - ct * nr), nr, _wide);
                    if (k1 > pass.Kc) new Span<float>(panel + Math.Max(k0, pass.Kc) * nr, (k1 - Math.Max(k0, pass.Kc)) * nr).Clear();
                }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackRow(int p)
    {
        var pass = _packing;
        float* a = _pa + _batchIndex * (long)_m * _k + (long)p * _b * _rsA + pass.K0 * _csA;
        Packing.PackA(_mk.Layout, RowPanels(pass, p), (nint)_mk.APanelFloats(pass.Kc), a, _rsA, _csA, _b, pass.Kc, _mk.Mr, _wide);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackColumn(int q)
    {
        var pass = _packing;
        float* b = _pb + _batchIndex * (long)_k * _n + pass.K0 * _rsB + (long)q * _b * _csB;
        int kp = _mk.PadK(pass.Kc);
        Packing.PackB(ColumnPanels(pass, q), (nint)kp * _mk.Nr, b, _rsB, _csB, pass.Kc, kp, _b, _mk.Nr, _wide);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Compute(int chunk, int worker)
    {
        var pass = _computing;
        float* tile = _ctx!.Scratch(worker);
        int mr = _mk.Mr, nr = _mk.Nr, kp = _mk.PadK(pass.Kc);
        long aPanel = _mk.APanelFloats(pass.Kc), bPanel = (long)kp * nr, blockElems = (long)_b * _b;
        nint zero = 0;
        int e1 = Math.Min(_nnz, (chunk + 1) * _blocksPerChunk);
        for (int e = chunk * _blocksPerChunk; e < e1; e++)
        {
            float* aPanels = RowPanels(pass, _rowOf[e]), bPanels = ColumnPanels(pass, _colOf[e]);
            float* block = _pc + (_batchIndex * (long)_nnz + e) * blockElems;
            for (int rt = 0; rt < _rowTiles; rt++)
                for (int ct = 0; ct < _colTiles; ct++)
                    GemmCore.Tile(_mk, 1, kp, aPanels + rt * aPanel, &zero, bPanels + ct * bPanel, &zero,
                        block + (long)rt * mr * _b + ct * nr, _b, Math.Min(mr, _b - rt * mr), Math.Min(nr, _b - ct * nr), accumulate: pass.K0 > 0, tile);
        }
    }
}
