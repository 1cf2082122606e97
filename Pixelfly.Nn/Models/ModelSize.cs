namespace Pixelfly.Nn.Models;

/// <summary>
/// Overrides of a catalog model's size: the model width (features per token) and the hidden width of the MLPs that
/// Pixelfly sparsifies (the Mixer's channel MLPs, the ViT's and GPT's MLPs). Null keeps the catalog's value.
/// </summary>
public sealed record ModelSize(int? Width = null, int? MlpHidden = null)
{
    /// <summary>The catalog's sizes.</summary>
    public static ModelSize Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> for a width or hidden width below 1.</summary>
    public void Validate()
    {
        if (Width is < 1) throw new ArgumentException($"the model width must be at least 1, got {Width}");
        if (MlpHidden is < 1) throw new ArgumentException($"the MLP hidden width must be at least 1, got {MlpHidden}");
    }
}
