namespace Pixelfly.Conformance;

/// <summary>The loss of one step of a multi-step case on the device and on the reference.</summary>
/// <param name="Step">1-based step.</param>
/// <param name="Device">Loss on the device under test.</param>
/// <param name="Reference">Loss on the reference.</param>
/// <param name="RelError">|device − reference| / |reference|.</param>
public sealed record StepLoss(int Step, double Device, double Reference, double RelError);
