namespace Pixelfly.Conformance;

/// <summary>The outcome of one case on one device.</summary>
public enum CaseStatus
{
    /// <summary>Every check passed.</summary>
    Pass,

    /// <summary>A check failed (metrics, unwritten element, guard band, NaN/Inf parity, modified input, loss curve).</summary>
    Fail,

    /// <summary>The device said Supports = No for a node, or the manifest lists the case as unsupported.</summary>
    Unsupported,

    /// <summary>The manifest expects this case to fail, and it did.</summary>
    ExpectedFailure,

    /// <summary>The manifest expects this case to fail, but it passed (stale entry).</summary>
    UnexpectedPass,

    /// <summary>Compile or run threw, or the reference could not produce a result.</summary>
    Error,
}
