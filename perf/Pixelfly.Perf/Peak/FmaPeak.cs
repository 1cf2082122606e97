using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pixelfly.Perf.Peak;

/// <summary>
/// Measured peak f32 throughput of the host: every thread runs a loop of 12 independent vector FMA chains (enough
/// to cover the FMA latency × ports of current x86 cores), all threads at once; the best of a few rounds counts.
/// It is the ceiling a perfect kernel could reach with the same vector width and thread count.
/// </summary>
public static class FmaPeak
{
    private const int Chains = 12;

    /// <summary>Peak GFLOP/s on <paramref name="threads"/> threads with <paramref name="vectorBits"/>-bit vectors (512 or 256).</summary>
    public static double MeasureGflops(int threads, int vectorBits, double roundMs = 100, int rounds = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (vectorBits is not (512 or 256))
            throw new ArgumentException($"vector width must be 512 or 256 bits, got {vectorBits}");
        if (vectorBits == 512 && !Vector512.IsHardwareAccelerated)
            throw new ArgumentException("512-bit vectors are not hardware accelerated on this machine");
        int lanes = vectorBits / 32;
        Func<long, float> loop = vectorBits == 512 ? Loop512 : Loop256;

        // Calibrate the iteration count on one thread (after a first call that lets the JIT finish).
        loop(100_000);
        long iterations = 1_000_000;
        var watch = Stopwatch.StartNew();
        loop(iterations);
        double ms = Math.Max(watch.Elapsed.TotalMilliseconds, 0.01);
        iterations = Math.Max(1000, (long)(iterations * roundMs / ms));

        double best = 0;
        for (int r = 0; r < rounds; r++)
        {
            double seconds = RunOnThreads(threads, () => loop(iterations));
            best = Math.Max(best, threads * iterations * (double)Chains * lanes * 2 / seconds / 1e9);
        }
        return best;
    }

    private static double RunOnThreads(int threads, Action body)
    {
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() => { start.SignalAndWait(); body(); }) { IsBackground = true }).ToArray();
        foreach (var w in workers) w.Start();
        start.SignalAndWait();
        var watch = Stopwatch.StartNew();
        foreach (var w in workers) w.Join();
        return watch.Elapsed.TotalSeconds;
    }

    // a ← a·m + c converges to c / (1 − m): no overflow, no denormals, and every FMA depends on the previous one.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(long iterations)
    {
        var m = Vector512.Create(0.999f);
        var c = Vector512.Create(0.001f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector512<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(long iterations)
    {
        var m = Vector256.Create(0.999f);
        var c = Vector256.Create(0.001f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector256<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
