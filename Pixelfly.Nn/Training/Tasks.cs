using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Training;

/// <summary>The standard tasks: image classification and next-token language modelling.</summary>
public static class Tasks
{
    /// <summary>Input names of the classification task.</summary>
    public const string Images = "images", Labels = "labels";

    /// <summary>Input names of the language-modelling task.</summary>
    public const string Ids = "ids", Targets = "targets";

    /// <summary>Output names: per-example (or per-token) losses and logits.</summary>
    public const string Losses = "losses", Logits = "logits";

    /// <summary>
    /// Classification of images [B, C, H, W] (f32) with labels [B] (i32): loss = mean cross-entropy; outputs the
    /// per-example losses and the logits (accuracy is computed from them on the host).
    /// </summary>
    public static TaskBuilder Classification(Func<GraphScope, Value, Value> model, int batch, int channels, int size) => scope =>
    {
        var b = scope.Builder;
        var logits = model(scope, b.Input(Images, DType.F32, batch, channels, size, size));
        var losses = b.CrossEntropy(logits, b.Input(Labels, DType.I32, batch));
        return new TaskGraph(b.ReduceMean(losses, [0]), new Dictionary<string, Value> { [Losses] = losses, [Logits] = logits });
    };

    /// <summary>
    /// Next-token prediction on ids [B, T] (i32) with targets [B, T] (the ids shifted by one): loss = mean
    /// cross-entropy over every position; outputs the per-token losses.
    /// </summary>
    public static TaskBuilder LanguageModel(Func<GraphScope, Value, Value> model, int batch, int tokens) => scope =>
    {
        var b = scope.Builder;
        var logits = model(scope, b.Input(Ids, DType.I32, batch, tokens));
        var losses = b.CrossEntropy(logits, b.Input(Targets, DType.I32, batch, tokens));
        return new TaskGraph(b.ReduceMean(losses, [0, 1]), new Dictionary<string, Value> { [Losses] = losses });
    };
}
