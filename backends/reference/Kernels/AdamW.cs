using Pixelfly.Devices;
using Pixelfly.Ir.Ops;

namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>
/// The fused AdamW update exactly as <see cref="AdamWOp"/> defines it (decoupled weight decay, bias corrections
/// 1 − β1^t and 1 − β2^t with t the 1-based value of the step input).
/// </summary>
internal static class AdamW
{
    public static double[][] Update(AdamWOp op, Operand param, Operand grad, Operand m, Operand v, Operand lr, Operand step)
    {
        double rate = lr.Data[0];
        double t = step.Data[0];
        if (!(t >= 1) || double.IsInfinity(t))
            throw new ExecutionException($"adamw: step is {t}, but steps count from 1 (the bias corrections 1 - beta^t would divide by zero at step 0)");
        double correction1 = 1.0 - Math.Pow(op.Beta1, t);
        double correction2 = 1.0 - Math.Pow(op.Beta2, t);

        int count = param.Data.Length;
        var newParam = new double[count];
        var newM = new double[count];
        var newV = new double[count];
        for (int i = 0; i < count; i++)
        {
            double g = grad.Data[i];
            double p = param.Data[i] - rate * op.WeightDecay * param.Data[i];
            newM[i] = op.Beta1 * m.Data[i] + (1.0 - op.Beta1) * g;
            newV[i] = op.Beta2 * v.Data[i] + (1.0 - op.Beta2) * g * g;
            newParam[i] = p - rate * (newM[i] / correction1) / (Math.Sqrt(newV[i] / correction2) + op.Epsilon);
        }
        return [newParam, newM, newV];
    }
}
