using Pixelfly.Devices;
using System.Numerics.Tensors;
using Pixelfly.Backends.Cpu.Threading;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Per-row cross-entropy with i32 labels: logsumexp(row) − row[label], max-subtracted. A label outside
/// [0, classes) throws <see cref="InvalidOperationException"/> naming the row and the label.
/// </summary>
internal sealed unsafe class CrossEntropyKernel : Kernel, IParallelWork
{
    private readonly int _logits, _labels, _loss;
    private readonly long _rows;
    private readonly int _classes;
    private readonly bool _wide;
    private readonly RowChunking _chunks;
    private RunContext? _ctx;
    private float* _px, _py;
    private int* _pl;

    public CrossEntropyKernel(int logits, int labels, int loss, long rows, int classes, bool wide)
    {
        (_logits, _labels, _loss, _rows, _classes, _wide) = (logits, labels, loss, rows, classes, wide);
        _chunks = new RowChunking(rows, 1, Math.Max(1, RowChunking.Grain / Math.Max(1, classes)));
    }

    public override long ScratchFloatsPerWorker => _classes;

    public override string Describe() => $"cross_entropy [{_rows}, {_classes}] ({_chunks})";

    public override void Execute(RunContext ctx)
    {
        _ctx = ctx;
        _px = ctx.F(_logits);
        _pl = ctx.I(_labels);
        _py = ctx.F(_loss);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, _, _) = _chunks.Range(chunk);
        float* exps = _ctx!.Scratch(worker);
        int n = _classes;
        for (long r = r0; r < r1; r++)
        {
            int label = _pl[r];
            if ((uint)label >= (uint)n)
                throw new ExecutionException($"cross_entropy: row {r} has label {label}, outside [0, {n})");
            float* x = _px + r * n;
            float max = SimdMath.Max(x, n, _wide);
            var es = new Span<float>(exps, n);
            TensorPrimitives.Subtract(new ReadOnlySpan<float>(x, n), max, es);
            TensorPrimitives.Exp(es, es);
            float lse = max + MathF.Log(SimdMath.Sum(exps, n, _wide));
            _py[r] = lse - x[label];
        }
    }
}
