using System.Runtime.CompilerServices;
using Pixelfly.Backends.Cpu.Threading;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Dense (batched) C = op(A)·op(B), f32 accumulation; a rank-2 operand is shared across the batch (batch stride 0),
/// transposes are packing strides. Two schedules, chosen from the shape:
/// <list type="bullet">
/// <item><b>Shared B</b> (GotoBLAS/BLIS order, for tall C): per batch entry, each (NC columns, KC pass) block of op(B)
/// is packed once into shared [k][NR] panels, then chunks of (MC rows, up to 512 columns) pack their op(A) rows into
/// per-worker panels and run the micro-kernel over the block (<see cref="GemmCore.Macro"/>). The blocks are pipelined
/// over two panel sets: one dispatch computes block i while it packs block i + 1.</item>
/// <item><b>Local</b> (for C at most a few row blocks tall, where B would be packed only once anyway): a chunk owns
/// one (batch, MC×NC) tile and packs both operands itself per K pass.</item>
/// </list>
/// K passes are in a fixed order, the first overwriting C and the others adding to it, so every element's arithmetic
/// is the same whatever the thread count. With an epilogue (a fused element-wise group, <see cref="FusedElementwiseKernel"/>)
/// the worker that finishes a C tile's last K pass runs the group on that tile while it is still in cache.
/// </summary>
internal sealed unsafe class GemmKernel : Kernel, IParallelWork
{
    // Blocking, measured on the 2-core AVX-512 machine (docs/cpu-backend.md): a KC pass of packed B for 512 columns
    // (512 KiB) and a 144-row packed A block (144 KiB) sit in L2, one MR×KC A panel (12 KiB) in L1.
    private const int Kc = 256;
    private const int NcShared = 2048;
    private const int McTarget = 144;
    private const int ColumnsPerChunk = 512;
    private const int PanelsPerPackChunk = 4;
    private const int SharedMinRowBlocks = 4;

    private enum Phase { Shared, Local, Zero }

    /// <summary>One (NC columns, KC pass) block of the shared schedule and the panel set its op(B) is packed into.</summary>
    private readonly record struct Block(int Jc, int Nc, int Pc, int Kc, nint Panels);

    private readonly int _a, _b, _c;
    private readonly int _m, _n, _k, _batch;
    private readonly long _aBatchStride, _bBatchStride;
    private readonly nint _rsA, _csA, _rsB, _csB;
    private readonly bool _transA, _transB, _wide, _shared;
    private readonly MicroKernel _mk;
    private readonly int _mc, _nc, _tilesM, _tilesN;
    private readonly FusedElementwiseKernel? _epilogue;
    private RunContext? _ctx;
    private float* _pa, _pb, _pc;
    private Phase _phase;
    private int _batchIndex, _computeChunks;
    private Block _computing, _packing;

    public GemmKernel(int a, int b, int c, int m, int n, int k, int batch, bool aBatched, bool bBatched, bool transA, bool transB, bool wide,
        FusedElementwiseKernel? epilogue = null)
    {
        (_a, _b, _c, _m, _n, _k, _batch, _transA, _transB, _wide, _epilogue) = (a, b, c, m, n, k, batch, transA, transB, wide, epilogue);
        _aBatchStride = aBatched ? (long)m * k : 0;
        _bBatchStride = bBatched ? (long)k * n : 0;
        // op(A)(i, kk): A is [M, K] or, transposed, [K, M]; op(B)(kk, j): B is [K, N] or [N, K].
        (_rsA, _csA) = transA ? ((nint)1, (nint)m) : ((nint)k, (nint)1);
        (_rsB, _csB) = transB ? ((nint)1, (nint)k) : ((nint)n, (nint)1);
        _mk = MicroKernel.ForDense(wide, n, transA ? PanelLayout.KMajor : PanelLayout.K16);
        _mc = Math.Max(_mk.Mr, McTarget / _mk.Mr * _mk.Mr);
        _shared = (m + _mc - 1) / _mc >= SharedMinRowBlocks;
        if (!_shared)
        {
            _mc = _mk.Mr * 8;
            _nc = _mk.Nr * 8;
        }
        else
        {
            _nc = Math.Min(NcShared, GemmCore.RoundUp(Math.Max(n, 1), _mk.Nr));
        }
        _tilesM = (m + _mc - 1) / _mc;
        _tilesN = (n + _nc - 1) / _nc;
    }

    private int KcMax => Math.Max(1, Math.Min(Kc, _k));

    private long APanelFloats => _mk.APanelFloats(KcMax);

    private long PackedAFloats => GemmCore.Aligned(APanelFloats * (_mc / _mk.Mr));

    private long BPanelFloats => (long)_mk.PadK(KcMax) * _mk.Nr;

    private long PackedBFloats => GemmCore.Aligned(BPanelFloats * (_nc / _mk.Nr));

    private long EpilogueOffset => GemmCore.Aligned(PackedAFloats + (_shared ? 0 : PackedBFloats) + GemmCore.TileFloats(_mk));

    public override long ScratchFloatsPerWorker => EpilogueOffset + (_epilogue?.ScratchFloatsPerWorker ?? 0);

    private int Passes => (_k + Kc - 1) / Kc;

    private int BlockCount => _tilesN * Passes;

    public override long SharedScratchFloats => !_shared ? 0 : (BlockCount > 1 ? 2 : 1) * PackedBFloats;

    private static int ColumnChunks(in Block block) => (block.Nc + ColumnsPerChunk - 1) / ColumnsPerChunk;

    private int PackChunks(in Block block) => ((block.Nc + _mk.Nr - 1) / _mk.Nr + PanelsPerPackChunk - 1) / PanelsPerPackChunk;

    private Block BlockAt(int index)
    {
        int jc = index / Passes * _nc, pc = index % Passes * Kc;
        return new Block(jc, Math.Min(_nc, _n - jc), pc, Math.Min(Kc, _k - pc), (nint)(_ctx!.SharedScratch + index % 2 * PackedBFloats));
    }

    public override string Describe() =>
        $"gemm batch {_batch} {_m}x{_n}x{_k}{(_transA ? " transA" : "")}{(_transB ? " transB" : "")}" +
        $"{(_batch > 1 && _aBatchStride == 0 ? " (A shared)" : "")}{(_batch > 1 && _bBatchStride == 0 ? " (B shared)" : "")}" +
        $" micro {_mk.Name}, {(_shared ? "shared packed B" : "local packing")}, blocks {_mc}x{_nc}x{KcMax}" +
        (_epilogue is null ? "" : $"; {_epilogue.Describe()}");

    public override void Execute(RunContext ctx)
    {
        _ctx = ctx;
        _pa = ctx.F(_a);
        _pb = ctx.F(_b);
        _pc = ctx.F(_c);
        if (_m == 0 || _n == 0) return;
        if (!_shared)
        {
            _phase = _k == 0 ? Phase.Zero : Phase.Local;
            ctx.Pool.Run(this, _batch * _tilesM * _tilesN);
            return;
        }
        for (_batchIndex = 0; _batchIndex < _batch; _batchIndex++)
        {
            if (_k == 0)
            {
                _phase = Phase.Zero;
                ctx.Pool.Run(this, _tilesM * _tilesN);
                continue;
            }
            // Dispatch d computes block d − 1 and packs block d.
            _phase = Phase.Shared;
            for (int d = 0; d <= BlockCount; d++)
            {
                _computing = d > 0 ? BlockAt(d - 1) : default;
                _packing = d < BlockCount ? BlockAt(d) : default;
                _computeChunks = d > 0 ? _tilesM * ColumnChunks(_computing) : 0;
                // Stable: a C tile's chunk stays on the same worker from K pass to K pass.
                ctx.Pool.Run(this, _computeChunks + (d < BlockCount ? PackChunks(_packing) : 0), stable: true);
            }
        }
    }

    public void Execute(int chunk, int worker)
    {
        switch (_phase)
        {
            case Phase.Shared when chunk < _computeChunks: ComputeShared(chunk, worker); break;
            case Phase.Shared: PackSharedB(chunk - _computeChunks); break;
            case Phase.Local: ComputeLocal(chunk, worker); break;
            default: ZeroTile(chunk, worker); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackSharedB(int chunk)
    {
        var block = _packing;
        int j0 = chunk * PanelsPerPackChunk * _mk.Nr;
        int cols = Math.Min(PanelsPerPackChunk * _mk.Nr, block.Nc - j0);
        float* b = _pb + _batchIndex * _bBatchStride + block.Pc * _rsB + (block.Jc + j0) * _csB;
        int kp = _mk.PadK(block.Kc);
        long panel = (long)kp * _mk.Nr;
        Packing.PackB((float*)block.Panels + j0 / _mk.Nr * panel, (nint)panel, b, _rsB, _csB, block.Kc, kp, cols, _mk.Nr, _wide);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeShared(int chunk, int worker)
    {
        var block = _computing;
        int columnChunks = ColumnChunks(block);
        int ic = chunk / columnChunks, cc = chunk % columnChunks;
        int i0 = ic * _mc, mc = Math.Min(_mc, _m - i0);
        int j0 = cc * ColumnsPerChunk, nc = Math.Min(ColumnsPerChunk, block.Nc - j0);
        float* packA = _ctx!.Scratch(worker);
        float* tile = packA + PackedAFloats;
        float* a = _pa + _batchIndex * _aBatchStride + i0 * _rsA + block.Pc * _csA;
        Packing.PackA(_mk.Layout, packA, (nint)_mk.APanelFloats(block.Kc), a, _rsA, _csA, mc, block.Kc, _mk.Mr, _wide);
        long panel = (long)_mk.PadK(block.Kc) * _mk.Nr;
        float* packB = (float*)block.Panels + j0 / _mk.Nr * panel;
        float* c = _pc + (long)_batchIndex * _m * _n + (long)i0 * _n + block.Jc + j0;
        GemmCore.Macro(_mk, mc, nc, block.Kc, packA, packB, c, _n, accumulate: block.Pc > 0, tile);
        if (block.Pc + block.Kc >= _k) Epilogue(worker, (long)_batchIndex * _m + i0, mc, block.Jc + j0, nc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeLocal(int chunk, int worker)
    {
        int perBatch = _tilesM * _tilesN;
        int batch = chunk / perBatch, rest = chunk % perBatch;
        int i0 = rest / _tilesN * _mc, j0 = rest % _tilesN * _nc;
        int mc = Math.Min(_mc, _m - i0), nc = Math.Min(_nc, _n - j0);
        float* a = _pa + batch * _aBatchStride + i0 * _rsA;
        float* b = _pb + batch * _bBatchStride + j0 * _csB;
        float* c = _pc + (long)batch * _m * _n + (long)i0 * _n + j0;
        float* packA = _ctx!.Scratch(worker);
        float* packB = packA + PackedAFloats;
        float* tile = packB + PackedBFloats;
        for (int k0 = 0; k0 < _k; k0 += Kc)
        {
            int kc = Math.Min(Kc, _k - k0);
            int kp = _mk.PadK(kc);
            Packing.PackB(packB, (nint)kp * _mk.Nr, b + k0 * _rsB, _rsB, _csB, kc, kp, nc, _mk.Nr, _wide);
            Packing.PackA(_mk.Layout, packA, (nint)_mk.APanelFloats(kc), a + k0 * _csA, _rsA, _csA, mc, kc, _mk.Mr, _wide);
            GemmCore.Macro(_mk, mc, nc, kc, packA, packB, c, _n, accumulate: k0 > 0, tile);
        }
        Epilogue(worker, (long)batch * _m + i0, mc, j0, nc);
    }

    // K = 0: C is all zeros. In the shared schedule chunks are (rows, column tiles) of the current batch entry.
    private void ZeroTile(int chunk, int worker)
    {
        int perBatch = _tilesM * _tilesN;
        int batch = _shared ? _batchIndex : chunk / perBatch, rest = chunk % perBatch;
        int i0 = rest / _tilesN * _mc, j0 = rest % _tilesN * _nc;
        int mc = Math.Min(_mc, _m - i0), nc = Math.Min(_nc, _n - j0);
        GemmCore.ZeroBlock(_pc + (long)batch * _m * _n + (long)i0 * _n + j0, _n, mc, nc);
        Epilogue(worker, (long)batch * _m + i0, mc, j0, nc);
    }

    // Rows are of C seen as [batch·M, N].
    private void Epilogue(int worker, long row0, int rows, int col0, int cols) =>
        _epilogue?.ApplyTile(_ctx!, _ctx!.Scratch(worker) + EpilogueOffset, row0, rows, col0, cols, _n);
}
