namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// One prepared step of a compiled graph. Everything that depends only on shapes (strides, index tables, layout
/// lookup tables, tile counts) is computed when the kernel is built; <see cref="Execute"/> only reads buffer
/// addresses from the run context and does the work. Kernels of one executable run one at a time.
/// </summary>
internal abstract class Kernel
{
    /// <summary>Floats of scratch each worker needs (packing buffers, row temporaries).</summary>
    public virtual long ScratchFloatsPerWorker => 0;

    /// <summary>Floats of scratch shared by all workers of one run (operands packed once and read by every chunk).</summary>
    public virtual long SharedScratchFloats => 0;

    /// <summary>One line for <c>Describe()</c>: what runs and how it is split.</summary>
    public abstract string Describe();

    /// <summary>Runs the kernel on the buffers of the current run.</summary>
    public abstract void Execute(RunContext ctx);
}
