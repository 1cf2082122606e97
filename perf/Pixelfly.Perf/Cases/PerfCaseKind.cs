namespace Pixelfly.Perf.Cases;

/// <summary>What a perf case measures; used for grouping in tables and plots.</summary>
public enum PerfCaseKind
{
    /// <summary>Forward of a block-sparse linear layer: Y = X·Wᵀ (Dds with transB).</summary>
    Forward,

    /// <summary>Input gradient of a block-sparse linear layer: dX = dY·W (Dds).</summary>
    InputGradient,

    /// <summary>Weight gradient of a block-sparse linear layer on the layout: dW = dYᵀ·X (Sdd with transA).</summary>
    WeightGradient,

    /// <summary>Our dense matmul: the device's own dense reference.</summary>
    DenseGemm,

    /// <summary>A whole Pixelfly linear layer (sparse + low-rank + gate + bias).</summary>
    Layer,

    /// <summary>A whole training step (forward, backward, AdamW) of a small model.</summary>
    TrainingStep,
}

/// <summary>Names of <see cref="PerfCaseKind"/> values in JSON and tables.</summary>
public static class PerfCaseKinds
{
    /// <summary>The short name ("forward", "dx", "dw", "dense", "layer", "train").</summary>
    public static string Name(this PerfCaseKind kind) => kind switch
    {
        PerfCaseKind.Forward => "forward",
        PerfCaseKind.InputGradient => "dx",
        PerfCaseKind.WeightGradient => "dw",
        PerfCaseKind.DenseGemm => "dense",
        PerfCaseKind.Layer => "layer",
        PerfCaseKind.TrainingStep => "train",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown perf case kind"),
    };

    /// <summary>Parses a short name; null when unknown.</summary>
    public static PerfCaseKind? Parse(string? name) =>
        Enum.GetValues<PerfCaseKind>().Cast<PerfCaseKind?>().FirstOrDefault(k => k!.Value.Name() == name);
}
