namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>Layer norm over the last axis: (x − mean)·rsqrt(var + ε)·gamma + beta, biased variance.</summary>
internal static class LayerNorm
{
    public static double[] Forward(Operand x, Operand gamma, Operand beta, double epsilon)
    {
        int c = x.Shape[-1];
        int rows = c == 0 ? 0 : x.Data.Length / c;
        var y = new double[x.Data.Length];
        for (int r = 0; r < rows; r++)
        {
            int start = r * c;
            double mean = 0;
            for (int j = 0; j < c; j++) mean += x.Data[start + j];
            mean /= c;
            double variance = 0;
            for (int j = 0; j < c; j++)
            {
                double d = x.Data[start + j] - mean;
                variance += d * d;
            }
            variance /= c;
            double rstd = 1.0 / Math.Sqrt(variance + epsilon);
            for (int j = 0; j < c; j++)
                y[start + j] = (x.Data[start + j] - mean) * rstd * gamma.Data[j] + beta.Data[j];
        }
        return y;
    }
}
