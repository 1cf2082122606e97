namespace Pixelfly.Conformance;

/// <summary>How a case's outputs are judged.</summary>
public enum CaseClass
{
    /// <summary>Against the reference with NMSE and max-relative-error thresholds per output dtype.</summary>
    Numeric,

    /// <summary>
    /// Every element must equal the reference exactly: small-integer data whose f32 arithmetic is exact, and pure
    /// data movement (transpose, gather, casts).
    /// </summary>
    Exact,
}
