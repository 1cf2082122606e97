using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>A pinned array of panel offsets (in floats) that the micro-kernels read through a pointer.</summary>
internal sealed unsafe class OffsetTable
{
    private readonly nint[] _values;

    /// <summary>A table of <paramref name="count"/> offsets, at least one (so the pointer is always valid).</summary>
    public OffsetTable(int count)
    {
        _values = GC.AllocateArray<nint>(Math.Max(1, count), pinned: true);
        Pointer = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_values));
    }

    /// <summary>The first entry.</summary>
    public nint* Pointer { get; }

    /// <summary>Entry i.</summary>
    public nint this[int i]
    {
        get => _values[i];
        set => _values[i] = value;
    }
}
