using Pixelfly.Tensors;

namespace Pixelfly.Cli.Formatting;

/// <summary>Summary statistics of a tensor; min, max and mean cover the finite elements only.</summary>
internal sealed record TensorStats(int Count, int Finite, int NaNs, int Infinities, double Min, double Max, double Mean)
{
    /// <summary>Computes the statistics (exact widening to double, so every dtype is handled alike).</summary>
    public static TensorStats Of(HostTensor tensor)
    {
        var values = tensor.ToDoubles();
        int finite = 0, nans = 0, infs = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        foreach (double v in values)
        {
            if (double.IsNaN(v)) { nans++; continue; }
            if (double.IsInfinity(v)) { infs++; continue; }
            finite++;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
        }
        return finite == 0
            ? new(values.Length, 0, nans, infs, double.NaN, double.NaN, double.NaN)
            : new(values.Length, finite, nans, infs, min, max, sum / finite);
    }
}
