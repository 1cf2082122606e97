using Pixelfly.Backends.Cpu.Threading;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Dense (batched) C = op(A)·op(B), f32 accumulation. C is cut into MC×NC macro tiles per batch entry; a chunk owns
/// one macro tile and walks K in passes of <see cref="GemmCore.KcDense"/>: pack the B block and the A block into the
/// worker's scratch, then run the micro-kernel over the tile. A rank-2 operand is shared across the batch
/// (batch stride 0). Transposes become packing strides.
/// </summary>
internal sealed unsafe class GemmKernel : Kernel, IParallelWork
{
    private readonly int _a, _b, _c;
    private readonly int _m, _n, _k, _batch;
    private readonly long _aBatchStride, _bBatchStride;
    private readonly nint _rsA, _csA, _rsB, _csB;
    private readonly bool _transA, _transB;
    private readonly MicroKernel _mk;
    private readonly int _mcBlock, _ncBlock, _kcBlock, _tilesM, _tilesN;
    private RunContext? _ctx;
    private float* _pa, _pb, _pc;

    public GemmKernel(int a, int b, int c, int m, int n, int k, int batch, bool aBatched, bool bBatched, bool transA, bool transB, bool wide)
    {
        (_a, _b, _c, _m, _n, _k, _batch, _transA, _transB) = (a, b, c, m, n, k, batch, transA, transB);
        _aBatchStride = aBatched ? (long)m * k : 0;
        _bBatchStride = bBatched ? (long)k * n : 0;
        // op(A)(i, kk): A is [M, K] or, transposed, [K, M]; op(B)(kk, j): B is [K, N] or [N, K].
        (_rsA, _csA) = transA ? ((nint)1, (nint)m) : ((nint)k, (nint)1);
        (_rsB, _csB) = transB ? ((nint)1, (nint)k) : ((nint)n, (nint)1);
        _mk = MicroKernel.Select(wide, n);
        _mcBlock = _mk.Mr * 16;
        _ncBlock = _mk.Nr * 8;
        _kcBlock = GemmCore.KcDense;
        _tilesM = (m + _mcBlock - 1) / _mcBlock;
        _tilesN = (n + _ncBlock - 1) / _ncBlock;
    }

    private long PackedAFloats => GemmCore.Aligned((long)_mcBlock * _kcBlock);

    private long PackedBFloats => GemmCore.Aligned((long)_ncBlock * _kcBlock);

    public override long ScratchFloatsPerWorker => PackedAFloats + PackedBFloats + GemmCore.Aligned(_mk.Mr * _mk.Nr);

    private int Chunks => _batch * _tilesM * _tilesN;

    public override string Describe() =>
        $"gemm batch {_batch} {_m}x{_n}x{_k}{(_transA ? " transA" : "")}{(_transB ? " transB" : "")}" +
        $"{(_batch > 1 && _aBatchStride == 0 ? " (A shared)" : "")}{(_batch > 1 && _bBatchStride == 0 ? " (B shared)" : "")}" +
        $" micro {_mk.Name}, tiles {_mcBlock}x{_ncBlock}x{_kcBlock}, {Chunks} chunk(s)";

    public override void Execute(RunContext ctx)
    {
        _ctx = ctx;
        _pa = ctx.F(_a);
        _pb = ctx.F(_b);
        _pc = ctx.F(_c);
        ctx.Pool.Run(this, Chunks);
    }

    public void Execute(int chunk, int worker)
    {
        int perBatch = _tilesM * _tilesN;
        int batch = chunk / perBatch, rest = chunk % perBatch;
        int i0 = rest / _tilesN * _mcBlock, j0 = rest % _tilesN * _ncBlock;
        int mc = Math.Min(_mcBlock, _m - i0), nc = Math.Min(_ncBlock, _n - j0);
        float* a = _pa + batch * _aBatchStride + i0 * _rsA;
        float* b = _pb + batch * _bBatchStride + j0 * _csB;
        float* c = _pc + (long)batch * _m * _n + (long)i0 * _n + j0;
        float* packA = _ctx!.Scratch(worker);
        float* packB = packA + PackedAFloats;
        float* tile = packB + PackedBFloats;
        for (int k0 = 0; ; k0 += _kcBlock)
        {
            int kc = Math.Min(_kcBlock, _k - k0);
            GemmCore.PackB(packB, (nint)kc * _mk.Nr, b + k0 * _rsB, _rsB, _csB, kc, nc, _mk.Nr);
            GemmCore.PackA(packA, (nint)kc * _mk.Mr, a + k0 * _csA, _rsA, _csA, mc, kc, _mk.Mr);
            GemmCore.Macro(_mk, mc, nc, kc, packA, packB, c, _n, accumulate: k0 > 0, tile);
            if (k0 + _kcBlock >= _k) break;
        }
    }
}
