using System.Runtime.ExceptionServices;

namespace Pixelfly.Backends.Cpu.Threading;

/// <summary>
/// A persistent pool of worker threads. <see cref="Run"/> hands out chunk indices dynamically, so which thread runs
/// a chunk varies, but kernels partition by shape only (never by thread count), so results do not. The caller
/// takes part as worker 0. One dispatch at a time; a dispatch from inside a chunk runs inline.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    [ThreadStatic] private static bool t_insideChunk;

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

    /// <summary>Runs chunks 0..chunkCount-1 of <paramref name="work"/>; rethrows the first exception a chunk threw.</summary>
    public void Run(IParallelWork work, int chunkCount)
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
                _activeWorkers = _threads.Length;
                _done.Reset();
                _generation++;
                Monitor.PulseAll(_gate);
            }
            RunChunks(work, chunkCount, 0);
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

    private void RunChunks(IParallelWork work, int chunkCount, int worker)
    {
        t_insideChunk = true;
        try
        {
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
            Volatile.Write(ref _nextChunk, chunkCount); // stop handing out chunks
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
            lock (_gate)
            {
                while (_generation == seen && !_stopping) Monitor.Wait(_gate);
                if (_stopping) return;
                seen = _generation;
                work = _work!;
                count = _chunkCount;
            }
            RunChunks(work, count, worker);
            if (Interlocked.Decrement(ref _activeWorkers) == 0) _done.Set();
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
