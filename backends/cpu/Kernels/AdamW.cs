using Pixelfly.Devices;
using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Fused AdamW (PyTorch semantics, step 1-based): p ← p − lr·wd·p; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
/// p ← p − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε). Element-wise in f32, so it may update param, m and v in place.
/// </summary>
internal sealed unsafe class AdamWKernel : Kernel, IParallelWork
{
    private readonly AdamWOp _op;
    private readonly int _param, _grad, _m, _v, _lr, _step, _paramOut, _mOut, _vOut;
    private readonly int _count;
    private readonly RowChunking _chunks;
    private float* _p, _g, _pm, _pv, _po, _mo, _vo;
    private float _rate, _decay, _correction1, _correction2;

    public AdamWKernel(AdamWOp op, int[] inputs, int[] outputs, int count)
    {
        _op = op;
        (_param, _grad, _m, _v, _lr, _step) = (inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5]);
        (_paramOut, _mOut, _vOut) = (outputs[0], outputs[1], outputs[2]);
        _count = count;
        _chunks = new RowChunking(1, count);
    }

    public override string Describe() =>
        $"adamw n={_count} beta1={_op.Beta1} beta2={_op.Beta2} eps={_op.Epsilon} wd={_op.WeightDecay} ({_chunks})";

    public override void Execute(RunContext ctx)
    {
        float lr = *ctx.F(_lr), step = *ctx.F(_step);
        if (!(step >= 1))
            throw new ExecutionException($"adamw: step must be >= 1 (steps count from 1; step 0 divides by a zero bias correction), got {step}");
        _rate = lr;
        _decay = (float)(1 - lr * _op.WeightDecay);
        _correction1 = (float)(1 - Math.Pow(_op.Beta1, step));
        _correction2 = (float)(1 - Math.Pow(_op.Beta2, step));
        _p = ctx.F(_param);
        _g = ctx.F(_grad);
        _pm = ctx.F(_m);
        _pv = ctx.F(_v);
        _po = ctx.F(_paramOut);
        _mo = ctx.F(_mOut);
        _vo = ctx.F(_vOut);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (_, _, c0, c1) = _chunks.Range(chunk);
        float b1 = (float)_op.Beta1, b2 = (float)_op.Beta2, eps = (float)_op.Epsilon;
        float lr = _rate, decay = _decay, bc1 = _correction1, bc2 = _correction2;
        for (int i = c0; i < c1; i++)
        {
            float g = _g[i];
            float p = _p[i] * decay;
            float m = b1 * _pm[i] + (1 - b1) * g;
            float v = b2 * _pv[i] + (1 - b2) * g * g;
            p -= lr * (m / bc1) / (MathF.Sqrt(v / bc2) + eps);
            _po[i] = p;
            _mo[i] = m;
            _vo[i] = v;
        }
    }
}
