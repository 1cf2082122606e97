namespace Pixelfly.Nn.Models;

/// <summary>Dense, or Pixelfly where the paper sparsifies (PIXELFLY-SPEC §4).</summary>
public enum Sparsity
{
    /// <summary>Every linear layer dense.</summary>
    Dense,

    /// <summary>The paper's choice of layers made Pixelfly.</summary>
    Pixelfly,
}
