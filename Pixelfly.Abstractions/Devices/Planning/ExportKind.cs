namespace Pixelfly.Devices.Planning;

/// <summary>How an output tensor is filled after the last node.</summary>
public enum ExportKind
{
    /// <summary>Nothing to do: the node wrote the output tensor, or the output donates the input it passes through.</summary>
    None,

    /// <summary>The bound input tensor's bytes into the (fresh, non-donated) output tensor.</summary>
    CopyFromInput,

    /// <summary>The bound input tensor's bytes into a snapshot arena slot first, later into the donated output tensor
    /// (so that swapped donations, a→b and b→a, both see the inputs as they were).</summary>
    CopyThroughSnapshot,

    /// <summary>The value's storage (arena, constant, or another output's tensor) copied as is into the output tensor.</summary>
    CopyValue,

    /// <summary>The value converted into the output tensor's dtype, which the kernels do not write natively.</summary>
    Pack,
}
