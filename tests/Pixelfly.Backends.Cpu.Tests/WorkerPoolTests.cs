using Pixelfly.Backends.Cpu.Threading;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>The persistent worker pool: every chunk runs exactly once, back-to-back dispatches, failures, nesting.</summary>
public sealed class WorkerPoolTests
{
    private sealed class CountingWork(int chunks) : IParallelWork
    {
        public int[] Runs { get; } = new int[chunks];

        public void Execute(int chunk, int worker) => Interlocked.Increment(ref Runs[chunk]);
    }

    [Test]
    [Combinatorial]
    public void Thousands_of_back_to_back_dispatches_run_every_chunk_exactly_once([Values(1, 2, 4)] int workers, [Values] bool stable)
    {
        using var pool = new WorkerPool(workers);
        for (int dispatch = 0; dispatch < 3000; dispatch++)
        {
            int chunks = dispatch % 37 + 1;
            var work = new CountingWork(chunks);

            pool.Run(work, chunks, stable);

            Assert.That(work.Runs, Is.All.EqualTo(1), $"dispatch {dispatch} with {chunks} chunk(s)");
        }
    }

    [Test]
    public void Dispatches_after_an_idle_pause_still_run_every_chunk()
    {
        using var pool = new WorkerPool(3);
        for (int i = 0; i < 3; i++)
        {
            Thread.Sleep(20); // longer than the idle spin: the workers block and must be woken
            var work = new CountingWork(64);

            pool.Run(work, 64);

            Assert.That(work.Runs, Is.All.EqualTo(1));
        }
    }

    private sealed class FailingWork : IParallelWork
    {
        public void Execute(int chunk, int worker)
        {
            if (chunk == 5) throw new InvalidOperationException("chunk 5 failed");
        }
    }

    [Test]
    public void A_failing_chunk_is_rethrown_and_the_pool_keeps_working([Values] bool stable)
    {
        using var pool = new WorkerPool(2);

        Assert.That(() => pool.Run(new FailingWork(), 40, stable), Throws.InvalidOperationException.With.Message.EqualTo("chunk 5 failed"));
        var work = new CountingWork(10);
        pool.Run(work, 10, stable);
        Assert.That(work.Runs, Is.All.EqualTo(1));
    }

    private sealed class RecordingWork(int chunks) : IParallelWork
    {
        public int[] Worker { get; } = Enumerable.Repeat(-1, chunks).ToArray();

        public void Execute(int chunk, int worker) => Worker[chunk] = worker;
    }

    [Test]
    public void A_stable_dispatch_on_one_worker_runs_every_chunk_on_the_caller()
    {
        using var pool = new WorkerPool(1);
        var work = new RecordingWork(9);

        pool.Run(work, 9, stable: true);

        Assert.That(work.Worker, Is.All.EqualTo(0));
    }

    private sealed class NestingWork(WorkerPool pool) : IParallelWork
    {
        public CountingWork Inner { get; } = new(4 * 8);

        public void Execute(int chunk, int worker) => pool.Run(new OffsetWork(Inner, chunk * 8), 8);
    }

    private sealed class OffsetWork(CountingWork target, int offset) : IParallelWork
    {
        public void Execute(int chunk, int worker) => target.Execute(offset + chunk, worker);
    }

    [Test]
    public void A_dispatch_from_inside_a_chunk_runs_inline()
    {
        using var pool = new WorkerPool(2);
        var work = new NestingWork(pool);

        pool.Run(work, 4);

        Assert.That(work.Inner.Runs, Is.All.EqualTo(1));
    }
}
