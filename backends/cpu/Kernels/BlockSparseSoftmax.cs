using System.Numerics.Tensors;
using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Layouts;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Row softmax over the stored blocks of a block-sparse matrix [..., nnz, b, b] (forward), or its backward
/// Scale·y·(dy − Σ_row dy·y). A chunk owns one (batch, block row); each element row of it is gathered across the
/// block row's stored blocks (block-CSR order) into the worker's scratch, processed, and written back.
/// </summary>
internal sealed unsafe class BlockSparseSoftmaxKernel : Kernel, IParallelWork
{
    private readonly int _x, _dy, _y;      // forward: x → y; backward: (x = y, dy) → y
    private readonly bool _backward, _wide;
    private readonly float _scale;
    private readonly int _b, _blockRows, _nnz;
    private readonly int _batch;
    private readonly int[] _rowPtr;
    private readonly int _maxRowBlocks;
    private RunContext? _ctx;
    private float* _px, _pdy, _py;

    public BlockSparseSoftmaxKernel(BlockLayout layout, int batch, double scale, int x, int dy, int y, bool backward, bool wide)
    {
        (_x, _dy, _y, _backward, _wide, _scale, _batch) = (x, dy, y, backward, wide, (float)scale, batch);
        (_b, _blockRows, _nnz) = (layout.BlockSize, layout.BlockRows, layout.NnzBlocks);
        _rowPtr = layout.RowPtr.ToArray();
        for (int p = 0; p < _blockRows; p++) _maxRowBlocks = Math.Max(_maxRowBlocks, _rowPtr[p + 1] - _rowPtr[p]);
    }

    public override long ScratchFloatsPerWorker => 3L * _maxRowBlocks * _b;

    public override string Describe() =>
        $"{(_backward ? "block_sparse_softmax_grad" : "block_sparse_softmax")} b={_b} {_blockRows} block rows, nnz={_nnz}, batch {_batch}, scale {_scale}";

    public override void Execute(RunContext ctx)
    {
        _ctx = ctx;
        _px = ctx.F(_x);
        _py = ctx.F(_y);
        _pdy = _backward ? ctx.F(_dy) : null;
        ctx.Pool.Run(this, _batch * _blockRows);
    }

    public void Execute(int chunk, int worker)
    {
        int batch = chunk / _blockRows, p = chunk % _blockRows;
        int k0 = _rowPtr[p], blocks = _rowPtr[p + 1] - k0;
        if (blocks == 0) return;
        int n = blocks * _b;
        long blockElems = (long)_b * _b;
        long baseOffset = (batch * (long)_nnz + k0) * blockElems;
        float* line = _ctx!.Scratch(worker), line2 = line + n, tmp = line2 + n;
        for (int i = 0; i < _b; i++)
        {
            for (int k = 0; k < blocks; k++)
            {
                long at = baseOffset + k * blockElems + (long)i * _b;
                SimdMath.Copy(_px + at, line + k * _b, _b);
                if (_backward) SimdMath.Copy(_pdy + at, line2 + k * _b, _b);
            }
            if (_backward) Backward(line, line2, n);
            else Forward(line, tmp, n);
            for (int k = 0; k < blocks; k++)
                SimdMath.Copy(line + k * _b, _py + baseOffset + k * blockElems + (long)i * _b, _b);
        }
    }

    private void Forward(float* line, float* tmp, int n)
    {
        var s = new Span<float>(line, n);
        TensorPrimitives.Multiply(s, _scale, s);
        float max = SimdMath.Max(line, n, _wide);
        TensorPrimitives.Subtract(s, max, s);
        TensorPrimitives.Exp(s, s);
        float sum = SimdMath.Sum(line, n, _wide);
        TensorPrimitives.Divide(s, sum, s);
    }

    // line holds y, dy holds dy; the result replaces line.
    private void Backward(float* y, float* dy, int n)
    {
        float dot = SimdMath.Dot(dy, y, n, _wide);
        for (int j = 0; j < n; j++) y[j] = _scale * y[j] * (dy[j] - dot);
    }
}
