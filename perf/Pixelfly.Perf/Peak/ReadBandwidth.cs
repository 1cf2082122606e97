using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pixelfly.Perf.Peak;

/// <summary>
/// Measured read bandwidth of the host: every thread sums its own contiguous share of one large float buffer with
/// vector loads (four independent accumulators, so the loads, not the adds, set the pace), all threads at once; the
/// best of a few passes counts. It is the rate a memory-bound kernel could at best read data that is not in cache.
/// </summary>
public static class ReadBandwidth
{
    /// <summary>The default buffer: 512 MiB, larger than the last-level caches of current server CPUs.</summary>
    public const long DefaultBytes = 512L << 20;

    /// <summary>Read GB/s (10^9 bytes per second) on <paramref name="threads"/> threads over a buffer of <paramref name="bytes"/>.</summary>
    public static double MeasureGbPerSecond(int threads, long bytes = DefaultBytes, int passes = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        int lanes = Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;
        // Each thread's share is a whole number of 4-vector steps.
        long step = 4L * lanes * threads;
        long floats = bytes / sizeof(float) / step * step;
        if (floats <= 0 || floats > Array.MaxLength)
            throw new ArgumentException($"buffer of {bytes} bytes is out of range for {threads} thread(s)");
        var buffer = GC.AllocateUninitializedArray<float>((int)floats);
        // Touch every page (and give it a value) before timing: page faults are not bandwidth.
        buffer.AsSpan().Fill(1f);
        int share = (int)(floats / threads);
        double best = 0;
        // The first pass also lets the JIT finish; it counts like the others because the data is the same.
        for (int p = 0; p < passes + 1; p++)
        {
            double seconds = RunOnThreads(threads, t => Sum(buffer, t * share, share, lanes));
            if (p > 0) best = Math.Max(best, floats * (double)sizeof(float) / seconds / 1e9);
        }
        return best;
    }

    private static double RunOnThreads(int threads, Action<int> body)
    {
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() => { start.SignalAndWait(); body(t); }) { IsBackground = true }).ToArray();
        foreach (var w in workers) w.Start();
        start.SignalAndWait();
        var watch = Stopwatch.StartNew();
        foreach (var w in workers) w.Join();
        return watch.Elapsed.TotalSeconds;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Sum(float[] data, int start, int count, int lanes)
    {
        ref float at = ref data[start];
        if (lanes == Vector512<float>.Count)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int i = 0; i < count; i += 4 * 16)
            {
                s0 += Vector512.LoadUnsafe(ref at, (nuint)i);
                s1 += Vector512.LoadUnsafe(ref at, (nuint)(i + 16));
                s2 += Vector512.LoadUnsafe(ref at, (nuint)(i + 32));
                s3 += Vector512.LoadUnsafe(ref at, (nuint)(i + 48));
            }
            return Vector512.Sum(s0 + s1 + s2 + s3);
        }
        Vector256<float> r0 = default, r1 = default, r2 = default, r3 = default;
        for (int i = 0; i < count; i += 4 * 8)
        {
            r0 += Vector256.LoadUnsafe(ref at, (nuint)i);
            r1 += Vector256.LoadUnsafe(ref at, (nuint)(i + 8));
            r2 += Vector256.LoadUnsafe(ref at, (nuint)(i + 16));
            r3 += Vector256.LoadUnsafe(ref at, (nuint)(i + 24));
        }
        return Vector256.Sum(r0 + r1 + r2 + r3);
    }
}
