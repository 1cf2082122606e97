namespace Pixelfly.Devices;

/// <summary>
/// A device whose driver tooling reports problems beside the results (Vulkan's validation layers, for one). The
/// conformance runner fails a case during which the device reported anything: a result that conforms by luck
/// on one driver is not certified.
/// </summary>
public interface IDeviceDiagnostics
{
    /// <summary>The messages reported since the last call, removing them.</summary>
    IReadOnlyList<string> TakeDiagnostics();
}
