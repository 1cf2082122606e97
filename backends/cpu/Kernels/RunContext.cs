using Pixelfly.Backends.Cpu.Threading;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>Buffer addresses and workers of one run.</summary>
internal sealed unsafe class RunContext(int valueCount, WorkerPool pool)
{
    /// <summary>Address of each value's working storage (f32 or i32 cells), by value id.</summary>
    public nint[] Buffers { get; } = new nint[valueCount];

    /// <summary>The device's workers.</summary>
    public WorkerPool Pool { get; } = pool;

    /// <summary>Base of the per-worker scratch area and the floats each worker owns.</summary>
    public nint ScratchBase { get; set; }

    /// <summary>Floats of scratch per worker.</summary>
    public long ScratchStride { get; set; }

    /// <summary>Scratch shared by all workers (see <see cref="Kernel.SharedScratchFloats"/>), 64-byte aligned.</summary>
    public float* SharedScratch { get; set; }

    /// <summary>A value's storage as floats.</summary>
    public float* F(int value) => (float*)Buffers[value];

    /// <summary>A value's storage as i32.</summary>
    public int* I(int value) => (int*)Buffers[value];

    /// <summary>The scratch area of one worker.</summary>
    public float* Scratch(int worker) => (float*)ScratchBase + worker * ScratchStride;
}
