namespace Pixelfly.Perf.Micro.Support;

/// <summary>A benchmark class that knows the useful floating-point operations of each of its benchmarks.</summary>
public interface IFlopCounted
{
    /// <summary>Operations one invocation of <paramref name="benchmark"/> performs, with the current parameters.</summary>
    double Flops(string benchmark);
}
