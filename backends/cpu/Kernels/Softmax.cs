using System.Numerics.Tensors;
using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// softmax / log_softmax along one axis, viewed as [outer, L, inner]. Each (outer, inner) line is owned by one
/// chunk: a contiguous line (inner = 1) is processed in place in the output; a strided one is gathered into the
/// worker's scratch row first. Max-subtracted, exp via TensorPrimitives, fixed-order sum.
/// </summary>
internal sealed unsafe class SoftmaxKernel : Kernel, IParallelWork
{
    private readonly int _x, _y;
    private readonly bool _log, _wide;
    private readonly long _outer;
    private readonly int _length, _inner;
    private readonly RowChunking _chunks;
    private RunContext? _ctx;
    private float* _px, _py;

    public SoftmaxKernel(int x, int y, Shape shape, int axis, bool log, bool wide)
    {
        (_x, _y, _log, _wide) = (x, y, log, wide);
        axis = shape.Axis(axis);
        _length = shape[axis];
        long outer = 1;
        int inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.Rank; d++) inner *= shape[d];
        (_outer, _inner) = (outer, inner);
        _chunks = new RowChunking(outer * inner, 1, Math.Max(1, RowChunking.Grain / Math.Max(1, _length)));
    }

    // Strided lines need a gathered copy; log_softmax also needs the exponentials apart from the output.
    public override long ScratchFloatsPerWorker => (long)_length * 2;

    public override string Describe() =>
        $"{(_log ? "log_softmax" : "softmax")} [{_outer}, {_length}, {_inner}] ({_chunks})";

    public override void Execute(RunContext ctx)
    {
        _ctx = ctx;
        _px = ctx.F(_x);
        _py = ctx.F(_y);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, _, _) = _chunks.Range(chunk);
        float* scratch = _ctx!.Scratch(worker);
        float* line = scratch + _length;
        for (long r = r0; r < r1; r++)
        {
            long o = r / _inner, i = r % _inner;
            float* x = _px + o * _length * _inner + i;
            float* y = _py + o * _length * _inner + i;
            if (_inner == 1)
            {
                Line(x, y, scratch);
                continue;
            }
            for (int k = 0; k < _length; k++) line[k] = x[(long)k * _inner];
            Line(line, line, scratch);
            for (int k = 0; k < _length; k++) y[(long)k * _inner] = line[k];
        }
    }

    /// <summary>One contiguous line; y may be x; exps is scratch of the line's length.</summary>
    private void Line(float* x, float* y, float* exps)
    {
        int n = _length;
        if (n == 0) return;
        float max = SimdMath.Max(x, n, _wide);
        var ys = new Span<float>(y, n);
        TensorPrimitives.Subtract(new ReadOnlySpan<float>(x, n), max, ys);
        if (_log)
        {
            var es = new Span<float>(exps, n);
            TensorPrimitives.Exp(ys, es);
            float logSum = MathF.Log(SimdMath.Sum(exps, n, _wide));
            TensorPrimitives.Subtract(ys, logSum, ys);
        }
        else
        {
            TensorPrimitives.Exp(ys, ys);
            float sum = SimdMath.Sum(y, n, _wide);
            TensorPrimitives.Divide(ys, sum, ys);
        }
    }
}
