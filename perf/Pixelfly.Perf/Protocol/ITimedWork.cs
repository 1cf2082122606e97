namespace Pixelfly.Perf.Protocol;

/// <summary>Something the timer runs repeatedly: a compiled program with bound tensors, or an OpenBLAS call.</summary>
public interface ITimedWork : IDisposable
{
    /// <summary>Its name in reports ("candidate", "dense", "openblas").</summary>
    string Name { get; }

    /// <summary>
    /// Device time of the last <see cref="Run"/> in ms when the work runs on a device with its own clock
    /// (<see cref="Pixelfly.Devices.IDeviceTimedExecutable"/>); null on the host clock only.
    /// </summary>
    double? LastRunDeviceMs { get; }

    /// <summary>One complete, synchronous run; every buffer is already in place, nothing is uploaded or allocated.</summary>
    void Run();
}
