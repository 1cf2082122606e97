using System.Runtime.ExceptionServices;

namespace Pixelfly.Backends.Cpu.Threading;

/// <summary>
/// A persistent pool of worker threads. <see cref="Run"/> hands out chunk indices dynamically, so which thread runs
/// a chunk varies, but kernels partition by shape only (never by thread count), so results do not. The caller
/// takes part as worker 0. One dispatch at a time; a dispatch from inside a chunk runs inline.
/// Kernels dispatch often (a large matmul packs a shared operand, then computes, per K pass), so idle workers spin
/// for a short while before blocking, and the caller spins for the stragglers before waiting on an event: a dispatch
/// to hot workers then costs about a microsecond instead of a futex wake-up.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    [ThreadStatic] private static bool t_insideChunk;

    /// <summary>How long an idle worker, or the caller waiting for the last chunks, spins before blocking.</summary>
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 5000; // 200 µs

    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private readonly object _dispatch = new();
    private readonly ManualResetEventSlim _done = new(false);
    private IParallelWork? _work;
    private int _chunkCount;
    private int _nextChunk;
    private int _activeWorkers;
    private long _generation;
    private bool _stopping;
    private ExceptionDispatchInfo? _failure;
    private bool _stable;
    private int[] _claimed = [];
    private volatile bool _abort;

    /// <summary>Starts <paramref name="workerCount"/> − 1 background threads (the caller is the last worker).</summary>
    public WorkerPool(int workerCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workerCount, 1);
        WorkerCount = workerCount;
        _threads = new Thread[workerCount - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(worker))
            {
                IsBackground = true,
                Name = $"pixelfly-cpu-{worker}",
            };
            _threads[i].Start();
        }
    }

    /// <summary>Number of workers, including the calling thread.</summary>
    public int WorkerCount { get; }

    /// <summary>
    /// Runs chunks 0..chunkCount-1 of <paramref name="work"/>; rethrows the first exception a chunk threw. With
    /// <paramref name="stable"/>, worker w first runs chunks w, w + W, w + 2W, ... and only then takes chunks another
    /// worker has not started (from the end), so a kernel that revisits the same outputs in successive dispatches
    /// (K passes accumulating into C) finds them in the same core's cache while the workers keep pace.
    /// </summary>
    public void Run(IParallelWork work, int chunkCount, bool stable = false)
    {
        if (chunkCount <= 0) return;
        if (chunkCount == 1 || _threads.Length == 0 || t_insideChunk)
        {
            RunInline(work, chunkCount);
            return;
        }
        lock (_dispatch)
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_stopping, this);
                _work = work;
                _chunkCount = chunkCount;
                _nextChunk = 0;
                _failure = null;
                _abort = false;
                _stable = stable;
                if (stable)
                {
                    if (_claimed.Length < chunkCount) _claimed = new int[Math.Max(chunkCount, 2 * _claimed.Length)];
                    else Array.Clear(_claimed, 0, chunkCount);
                }
                _activeWorkers = _threads.Length;
                _done.Reset();
                _generation++;
                Monitor.PulseAll(_gate);
            }
            RunChunks(work, chunkCount, 0, stable);
            // The spin only makes the wait short: the last worker sets the event right after its count reaches zero,
            // and that Set must be consumed here, never by the next dispatch.
            SpinForWorkers();
            _done.Wait();
            _work = null;
            _failure?.Throw();
        }
    }

    private static void RunInline(IParallelWork work, int chunkCount)
    {
        bool outer = !t_insideChunk;
        t_insideChunk = true;
        try
        {
            for (int c = 0; c < chunkCount; c++) work.Execute(c, 0);
        }
        finally
        {
            if (outer) t_insideChunk = false;
        }
    }

    private void RunChunks(IParallelWork work, int chunkCount, int worker, bool stable)
    {
        t_insideChunk = true;
        try
        {
            if (stable)
            {
                var claimed = _claimed;
                for (int c = worker; c < chunkCount && !_abort; c += WorkerCount)
                    if (Interlocked.Exchange(ref claimed[c], 1) == 0) work.Execute(c, worker);
                for (int c = chunkCount - 1; c >= 0 && !_abort; c--)
                    if (Volatile.Read(ref claimed[c]) == 0 && Interlocked.Exchange(ref claimed[c], 1) == 0) work.Execute(c, worker);
                return;
            }
            while (true)
            {
                int c = Interlocked.Increment(ref _nextChunk) - 1;
                if (c >= chunkCount) break;
                work.Execute(c, worker);
            }
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            _abort = true; // stop handing out chunks
            Volatile.Write(ref _nextChunk, chunkCount);
        }
        finally
        {
            t_insideChunk = false;
        }
    }

    private void WorkerLoop(int worker)
    {
        long seen = 0;
        while (true)
        {
            IParallelWork work;
            int count;
            bool stable;
            SpinForDispatch(seen);
            lock (_gate)
            {
                while (_generation == seen && !_stopping) Monitor.Wait(_gate);
                if (_stopping) return;
                seen = _generation;
                work = _work!;
                count = _chunkCount;
                stable = _stable;
            }
            RunChunks(work, count, worker, stable);
            if (Interlocked.Decrement(ref _activeWorkers) == 0) _done.Set();
        }
    }

    // Spins until every background worker finished the dispatch, or SpinTicks pass.
    private void SpinForWorkers()
    {
        long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
        while (Volatile.Read(ref _activeWorkers) != 0)
        {
            if (System.Diagnostics.Stopwatch.GetTimestamp() > deadline) return;
            Thread.SpinWait(16);
        }
    }

    // Spins until a dispatch newer than `seen` (or the stop) is posted, or SpinTicks pass.
    private void SpinForDispatch(long seen)
    {
        long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
        while (Volatile.Read(ref _generation) == seen && !Volatile.Read(ref _stopping))
        {
            if (System.Diagnostics.Stopwatch.GetTimestamp() > deadline) return;
            Thread.SpinWait(16);
        }
    }

    /// <summary>Stops the threads.</summary>
    public void Dispose()
    {
        lock (_dispatch) // waits for a dispatch in flight
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        foreach (var t in _threads) t.Join();
        _done.Dispose();
    }
}
