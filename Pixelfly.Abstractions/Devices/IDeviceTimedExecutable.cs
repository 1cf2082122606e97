namespace Pixelfly.Devices;

/// <summary>
/// An executable that also measures its runs on the device's own clock (timestamp queries, events). The bench
/// harness prefers this time to the host's wall clock when the device offers it.
/// </summary>
public interface IDeviceTimedExecutable : IExecutable
{
    /// <summary>
    /// Device time of the last completed <see cref="IExecutable.Run"/> in milliseconds, from the start of its first
    /// kernel to the end of its last; null before the first run or when the device's timer is unusable.
    /// </summary>
    double? LastRunDeviceMilliseconds { get; }
}
