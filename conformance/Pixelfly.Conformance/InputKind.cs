namespace Pixelfly.Conformance;

/// <summary>How the data of one case input is produced (docs/conformance.md, "Inputs").</summary>
public enum InputKind
{
    /// <summary>Floats lo + (hi − lo)·u with u uniform in [0, 1), rounded to the dtype.</summary>
    Uniform,

    /// <summary>Integers in [lo, hi] stored as floats: the "exact" class, where f32 sums are exact.</summary>
    SmallInt,

    /// <summary>Class labels in [0, classes), i32.</summary>
    Labels,

    /// <summary>Row indices in [0, rows), i32.</summary>
    Indices,

    /// <summary>Every element equals value (e.g. a learning rate).</summary>
    Constant,

    /// <summary>All zeros (e.g. fresh optimizer state).</summary>
    Zeros,

    /// <summary>Every element equals start + the 0-based step index (the AdamW step counter of a multi-step case).</summary>
    Step,
}
