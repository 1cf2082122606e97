namespace Pixelfly.Nn.Training;

/// <summary>
/// Linear warm-up from 0 to the peak over <see cref="WarmupSteps"/>, then cosine decay to
/// <see cref="MinimumFraction"/>·peak at <see cref="TotalSteps"/> (and flat after it). Steps count from 1.
/// </summary>
public sealed record LearningRateSchedule(double Peak, int WarmupSteps, int TotalSteps, double MinimumFraction = 0.0)
{
    /// <summary>The learning rate of 1-based step <paramref name="step"/>.</summary>
    public double At(int step)
    {
        if (!(Peak > 0)) throw new ArgumentOutOfRangeException(nameof(Peak), Peak, "the peak learning rate must be positive");
        if (WarmupSteps < 0 || TotalSteps < 1 || WarmupSteps > TotalSteps)
            throw new ArgumentOutOfRangeException(nameof(TotalSteps), $"warm-up {WarmupSteps} and total {TotalSteps} steps do not make a schedule");
        if (MinimumFraction is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MinimumFraction), MinimumFraction, "must be in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        if (step <= WarmupSteps) return Peak * step / WarmupSteps;
        if (step >= TotalSteps) return Peak * MinimumFraction;
        double progress = (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps);
        return Peak * (MinimumFraction + (1 - MinimumFraction) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
