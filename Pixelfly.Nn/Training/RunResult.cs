namespace Pixelfly.Nn.Training;

/// <summary>What one epoch came to.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">Optimizer steps completed at its end.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's steps.</param>
/// <param name="EvalLoss">Mean loss on the held-out split.</param>
/// <param name="Accuracy">Held-out accuracy (images), null for text.</param>
/// <param name="Seconds">Wall-clock seconds of the epoch's training steps (evaluation not included).</param>
/// <param name="StepsPerSecond">Training steps per second.</param>
public sealed record EpochResult(int Epoch, int Step, double TrainLoss, double EvalLoss, double? Accuracy, double Seconds, double StepsPerSecond);

/// <summary>A finished (or resumed and finished) run.</summary>
/// <param name="Options">The run's options.</param>
/// <param name="Device">The device id it ran on.</param>
/// <param name="ModelConfig">The model's config string.</param>
/// <param name="Parameters">Trainable values.</param>
/// <param name="TrainFlopsPerStep">Matmul FLOPs of one training step (forward, backward, from the graph).</param>
/// <param name="ForwardFlopsPerExample">Matmul FLOPs of the forward pass per example.</param>
/// <param name="Epochs">Per-epoch results (of this process; a resumed run lists the epochs it ran).</param>
public sealed record RunResult(RunOptions Options, string Device, string ModelConfig, long Parameters, double TrainFlopsPerStep,
    double ForwardFlopsPerExample, IReadOnlyList<EpochResult> Epochs);

/// <summary>Progress of the current epoch, for a progress bar; <see cref="Finished"/> is set once the epoch is evaluated.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int StepInEpoch, int StepsInEpoch, double Loss, double StepsPerSecond)
{
    /// <summary>The epoch's result, on the one report made after its evaluation.</summary>
    public EpochResult? Finished { get; init; }
}
