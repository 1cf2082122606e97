using Pixelfly.Nn.Layers;
using Pixelfly.Nn.Models;

namespace Pixelfly.Nn.Training;

/// <summary>
/// One training run: which model, data and sparsity, how long, the recipe, and where results go.
/// </summary>
/// <param name="Model">mixer, vit or gpt.</param>
/// <param name="Data">fashion-mnist, mnist (images) or moby-dick, sotu (text).</param>
/// <param name="Sparsity">Dense or Pixelfly.</param>
/// <param name="OutputFolder">Where metrics.jsonl, checkpoint.safetensors and summary.json go.</param>
/// <param name="Epochs">Epochs to reach (a resumed run continues up to this count).</param>
/// <param name="BatchSize">Examples (images or text windows) per step.</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="Seed">Seeds the init and the data order.</param>
/// <param name="TrainLimit">Use only the first N training images (null: all); for short runs.</param>
/// <param name="EvalLimit">Evaluate on the first N test images or validation windows (null: all).</param>
/// <param name="StepsPerEpoch">Text data: steps per epoch (images: one pass over the training images).</param>
/// <param name="Tokens">Text data: window length.</param>
/// <param name="WarmupFraction">Fraction of all steps spent warming up.</param>
/// <param name="Pixelfly">The Pixelfly budget (null: the catalog's default).</param>
/// <param name="Size">The model's width and MLP hidden width (null: the catalog's sizes).</param>
/// <param name="Optimizer">Optimizer settings (null: AdamW, weight decay 0.05, clip 1.0).</param>
/// <param name="Resume">A checkpoint to resume from (null: start fresh).</param>
/// <param name="DataFolder">Where the data sets are (null: PIXELFLY_DATA or ./data).</param>
public sealed record RunOptions(
    string Model, string Data, Sparsity Sparsity, string OutputFolder,
    int Epochs = 1, int BatchSize = 128, double LearningRate = 1e-3, ulong Seed = 1,
    int? TrainLimit = null, int? EvalLimit = null, int StepsPerEpoch = 200, int Tokens = 128,
    double WarmupFraction = 0.05, PixelflyConfig? Pixelfly = null, OptimizerSettings? Optimizer = null,
    string? Resume = null, string? DataFolder = null, ModelSize? Size = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> for settings that cannot make a run.</summary>
    public void Validate()
    {
        if (!ModelCatalog.Names.Contains(Model)) throw new ArgumentException($"unknown model '{Model}'; known models: {string.Join(", ", ModelCatalog.Names)}");
        if (!global::Pixelfly.Nn.Data.DataSets.Names.Contains(Data)) throw new ArgumentException($"unknown data set '{Data}'; known data sets: {string.Join(", ", global::Pixelfly.Nn.Data.DataSets.Names)}");
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"the batch size must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"the learning rate must be positive, got {LearningRate}");
        if (TrainLimit is < 1 || EvalLimit is < 1) throw new ArgumentException("train and eval limits must be at least 1");
        if (StepsPerEpoch < 1 || Tokens < 2) throw new ArgumentException("steps per epoch must be at least 1 and tokens at least 2");
        if (!(WarmupFraction is >= 0 and < 1)) throw new ArgumentException($"the warm-up fraction must be in [0, 1), got {WarmupFraction}");
        Size?.Validate();
    }
}
