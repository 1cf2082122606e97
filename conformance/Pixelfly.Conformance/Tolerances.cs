using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

/// <summary>
/// Default thresholds per output dtype for the numeric class, and the loss tolerance of model-level cases. Inputs
/// are rounded to their dtype identically on both sides, so the expected error is what the device adds: f32
/// accumulation (≈ K·u²/6 NMSE for recursive summation of K random-sign terms, u the unit roundoff) and the final
/// rounding to the output dtype (≈ u²/3). Each bound sits 10–50× above that estimate, per ANCHORS §C; the
/// derivation of every number is next to it.
/// </summary>
public static class Tolerances
{
    /// <summary>f32 output. u = 2^-24 ≈ 6.0e-8.</summary>
    public static Thresholds F32 { get; } = new(
        // K·u²/6 at the largest corpus reduction (K ≤ 4096) is 2.4e-12; transcendental ops add a few ulp, (4u)² ≈ 6e-14.
        // 1e-10 is 40x above the worst expected value (ANCHORS's F32 row).
        Nmse: 1e-10,
        // The typical element error is √(K/6)·u ≈ 1.6e-6 at K = 4096; the worst of many elements is ~4x that (6e-6),
        // measured against max|r| which is itself ≥ the typical |r|. 1e-4 leaves ~16x over that worst case.
        MaxRelError: 1e-4,
        Reason: "f32: NMSE 40x above K·u²/6 at K=4096 (2.4e-12); max-rel 16x above 4·√(K/6)·u");

    /// <summary>f16 output. u = 2^-11 ≈ 4.9e-4; one ulp is 2^-10 of the value.</summary>
    public static Thresholds F16 { get; } = new(
        // Output rounding dominates (f32 accumulation is ~2^26 times smaller): (2^-11)²/3 ≈ 8.1e-8; 1e-6 is 12x above.
        Nmse: 1e-6,
        // Device and reference round different accumulations of the same products: at most one ulp apart
        // (2^-10 ≈ 9.8e-4 of an element, less relative to max|r|); 4e-3 allows four ulps.
        MaxRelError: 4e-3,
        Reason: "f16: NMSE 12x above the output rounding (2^-11)²/3; max-rel four f16 ulps");

    /// <summary>bf16 output. u = 2^-8 ≈ 3.9e-3; one ulp is 2^-7 of the value.</summary>
    public static Thresholds BF16 { get; } = new(
        // Output rounding: (2^-8)²/3 ≈ 5.1e-6; 5e-5 is 10x above (ANCHORS's BF16 row).
        Nmse: 5e-5,
        // One ulp is 2^-7 ≈ 7.8e-3 of an element; 3.2e-2 allows four ulps.
        MaxRelError: 3.2e-2,
        Reason: "bf16: NMSE 10x above the output rounding (2^-8)²/3; max-rel four bf16 ulps");

    /// <summary>f64 output (the reference's own dtype; no device is expected to produce it). u = 2^-53.</summary>
    public static Thresholds F64 { get; } = new(
        // K·u²/6 at K = 4096 is 8.4e-30; 1e-26 is ~1000x above, still far below any f32 error.
        Nmse: 1e-26,
        MaxRelError: 1e-12,
        Reason: "f64: far above f64 accumulation error, far below any f32 error");

    /// <summary>i32 outputs (casts, indices) are integers: they must match exactly.</summary>
    public static Thresholds Exact { get; } = new(0, 0, "exact: integer outputs, or an exact-class case");

    /// <summary>
    /// Relative tolerance of the loss at every step of a model-level case. Expected: the f32 forward loss differs
    /// from f64 by ~√K·u ≈ 1e-6 relative; AdamW turns gradients into updates of size ≈ lr·m̂/√v̂, whose relative
    /// error is the gradient's (~1e-6), except where a gradient is within rounding of zero, where the update may flip
    /// sign but the loss is insensitive to that parameter (∂L/∂p ≈ 0). Over 20 steps the drift stays ~1e-5; 1e-4
    /// leaves 10x, while a wrong gradient or update (an error of order lr·|∇L|) moves the loss by &gt; 1e-3.
    /// </summary>
    public const double LossRelTolerance = 1e-4;

    /// <summary>The tiny constant added to max|r| in the max-relative-error denominator so an all-zero reference cannot divide by zero.</summary>
    public const double Tiny = 1e-30;

    /// <summary>The default thresholds for an output of this dtype in a case of this class.</summary>
    public static Thresholds For(DType outputType, CaseClass caseClass) =>
        caseClass == CaseClass.Exact ? Exact : outputType switch
        {
            DType.F32 => F32,
            DType.F16 => F16,
            DType.BF16 => BF16,
            DType.F64 => F64,
            DType.I32 => Exact,
            _ => throw new ArgumentOutOfRangeException(nameof(outputType), outputType, "no thresholds for this dtype"),
        };

    /// <summary>The thresholds of one output of a case, applying the case's override (never to exact outputs).</summary>
    public static Thresholds For(ConformanceCase c, DType outputType)
    {
        ArgumentNullException.ThrowIfNull(c);
        var t = For(outputType, c.Class);
        if (t.IsExact || c.Thresholds is not { } o) return t;
        return new Thresholds(o.Nmse ?? t.Nmse, o.MaxRelError ?? t.MaxRelError, $"override: {o.Reason}");
    }

    /// <summary>The loss tolerance of a multi-step case, applying the case's override.</summary>
    public static double LossTolerance(ConformanceCase c) => c.Thresholds?.LossRelTolerance ?? LossRelTolerance;
}
