namespace Pixelfly.Nn.Layers;

/// <summary>How the low-rank factors start (PIXELFLY-SPEC §3.3).</summary>
public enum LowRankInit
{
    /// <summary>fly's default: independent kaiming-uniform factors, V uniform(±1/√in), U uniform(±1/√r).</summary>
    Linear,

    /// <summary>The top-r SVD factors of a dense draw of the full weight (U·√Σ, √Σ·Vᵀ).</summary>
    Svd,
}
