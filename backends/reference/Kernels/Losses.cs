using Pixelfly.Devices;
namespace Pixelfly.Backends.Reference.Kernels;

/// <summary>Cross-entropy with integer labels: logsumexp(logits) − logits[label] per row.</summary>
internal static class Losses
{
    public static double[] CrossEntropy(Operand logits, Operand labels)
    {
        int c = logits.Shape[-1];
        int rows = labels.Data.Length;
        var loss = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double label = labels.Data[r];
            if (!(label >= 0 && label < c))
                throw new ExecutionException(
                    $"cross_entropy: row {r} has label {label}, outside the {c} classes [0, {c}) of logits {logits.Type}");
            int start = r * c;
            double max = double.NegativeInfinity;
            for (int j = 0; j < c; j++) max = Math.Max(max, logits.Data[start + j]);
            double sum = 0;
            for (int j = 0; j < c; j++) sum += Math.Exp(logits.Data[start + j] - max);
            loss[r] = max + Math.Log(sum) - logits.Data[start + (int)label];
        }
        return loss;
    }
}
