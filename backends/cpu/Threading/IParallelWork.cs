namespace Pixelfly.Backends.Cpu.Threading;

/// <summary>Work split into numbered chunks; each chunk is run by exactly one worker.</summary>
internal interface IParallelWork
{
    /// <summary>Runs chunk <paramref name="chunk"/> on worker <paramref name="worker"/> (0 = the calling thread).</summary>
    void Execute(int chunk, int worker);
}
