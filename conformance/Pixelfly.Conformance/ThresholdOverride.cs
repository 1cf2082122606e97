namespace Pixelfly.Conformance;

/// <summary>
/// A case-specific replacement for the default thresholds (<see cref="Tolerances"/>); null fields keep the default.
/// The reason is mandatory: an override without one is rejected when the corpus loads.
/// </summary>
/// <param name="Nmse">NMSE bound for every float output.</param>
/// <param name="MaxRelError">Max-relative-error bound for every float output.</param>
/// <param name="LossRelTolerance">Per-step relative loss tolerance of a multi-step case.</param>
/// <param name="Reason">Why this case needs different bounds.</param>
public sealed record ThresholdOverride(double? Nmse, double? MaxRelError, double? LossRelTolerance, string Reason);
