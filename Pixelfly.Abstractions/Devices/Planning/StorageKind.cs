namespace Pixelfly.Devices.Planning;

/// <summary>Where a value's storage lives during a run of a compiled graph.</summary>
public enum StorageKind
{
    /// <summary>The bound input/parameter tensor itself (nodes never write a bound tensor).</summary>
    Bound,

    /// <summary>An arena slot, converted from the bound input tensor (whose dtype the kernels cannot read) before the first node.</summary>
    Import,

    /// <summary>The executable's constant pool, uploaded once at compile time.</summary>
    Constant,

    /// <summary>An arena slot, reused once its previous occupant is dead.</summary>
    Arena,

    /// <summary>The bound tensor of a graph output that donates nothing, written by the producing node directly.</summary>
    Output,
}
