using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>One-hot rows: 1 at the index, 0 elsewhere; an index outside [0, depth) gives a zero row.</summary>
internal sealed unsafe class OneHotKernel : Kernel, IParallelWork
{
    private readonly int _indices, _y;
    private readonly long _rows;
    private readonly int _depth;
    private readonly DType _dtype;
    private readonly RowChunking _chunks;
    private int* _pi;
    private float* _py;

    public OneHotKernel(int indices, int y, long rows, int depth, DType dtype)
    {
        (_indices, _y, _rows, _depth, _dtype) = (indices, y, rows, depth, dtype);
        _chunks = new RowChunking(rows, 1, Math.Max(1, RowChunking.Grain / depth));
    }

    public override string Describe() => $"one_hot [{_rows}] depth {_depth} {_dtype.Name()} ({_chunks})";

    public override void Execute(RunContext ctx)
    {
        _pi = ctx.I(_indices);
        _py = ctx.F(_y);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, _, _) = _chunks.Range(chunk);
        for (long r = r0; r < r1; r++)
        {
            float* row = _py + r * _depth;
            SimdMath.Zero(row, _depth);
            int k = _pi[r];
            if ((uint)k >= (uint)_depth) continue;
            if (_dtype == DType.I32) ((int*)row)[k] = 1;
            else row[k] = 1f;
        }
    }
}
