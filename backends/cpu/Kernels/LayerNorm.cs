using Pixelfly.Backends.Cpu.Threading;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Layer norm over the last axis: per row, mean and biased variance (two passes, fixed-order sums), then
/// (x − mean)·rsqrt(var + ε)·gamma + beta. Rows are split into fixed chunks.
/// </summary>
internal sealed unsafe class LayerNormKernel : Kernel, IParallelWork
{
    private readonly int _x, _gamma, _beta, _y;
    private readonly long _rows;
    private readonly int _width;
    private readonly float _epsilon;
    private readonly bool _wide;
    private readonly RowChunking _chunks;
    private float* _px, _pg, _pb, _py;

    public LayerNormKernel(int x, int gamma, int beta, int y, long rows, int width, double epsilon, bool wide)
    {
        (_x, _gamma, _beta, _y, _rows, _width, _epsilon, _wide) = (x, gamma, beta, y, rows, width, (float)epsilon, wide);
        _chunks = new RowChunking(rows, 1, Math.Max(1, RowChunking.Grain / Math.Max(1, width)));
    }

    public override string Describe() => $"layer_norm [{_rows}, {_width}] eps={_epsilon} ({_chunks})";

    public override void Execute(RunContext ctx)
    {
        _px = ctx.F(_x);
        _pg = ctx.F(_gamma);
        _pb = ctx.F(_beta);
        _py = ctx.F(_y);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, _, _) = _chunks.Range(chunk);
        int n = _width;
        for (long r = r0; r < r1; r++)
        {
            float* x = _px + r * n;
            float* y = _py + r * n;
            float mean = SimdMath.Sum(x, n, _wide) / n;
            for (int i = 0; i < n; i++) y[i] = x[i] - mean;
            float variance = SimdMath.Dot(y, y, n, _wide) / n;
            float rstd = 1f / MathF.Sqrt(variance + _epsilon);
            for (int i = 0; i < n; i++) y[i] = y[i] * rstd * _pg[i] + _pb[i];
        }
    }
}
