using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

/// <summary>
/// The comparison of one output with the reference (at the last step of a multi-step case). Thresholds are null when
/// the output is not judged by metrics (exact outputs, donated state of a multi-step case).
/// </summary>
/// <param name="Name">The graph output.</param>
/// <param name="DType">Its dtype.</param>
/// <param name="Nmse">Σ(a−r)²/Σr² over finite elements.</param>
/// <param name="MaxRelError">max|a−r|/(max|r|+tiny) over finite elements.</param>
/// <param name="WorstIndex">Flat index of the element with the largest |a−r| (-1 when none).</param>
/// <param name="Mismatches">Elements not exactly equal to the reference.</param>
/// <param name="Thresholds">The bounds it was judged by, or null.</param>
public sealed record OutputMetrics(string Name, DType DType, double Nmse, double MaxRelError, int WorstIndex, int Mismatches, Thresholds? Thresholds);
