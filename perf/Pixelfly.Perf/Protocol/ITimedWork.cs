namespace Pixelfly.Perf.Protocol;

/// <summary>Something the timer runs repeatedly: a compiled program with bound tensors, or an OpenBLAS call.</summary>
public interface ITimedWork : IDisposable
{
    /// <summary>Its name in reports ("candidate", "dense", "openblas").</summary>
    string Name { get; }

    /// <summary>One complete, synchronous run; every buffer is already in place, nothing is uploaded or allocated.</summary>
    void Run();
}
