using Pixelfly.Ir;

namespace Pixelfly.Nn.Layers;

/// <summary>
/// Images [B, C, H, W] → patch tokens [B, (H/p)·(W/p), D]: non-overlapping p×p patches flattened (channel-major,
/// as a stride-p convolution reads them) and projected by a dense linear layer, the same map as the paper's
/// patch-embedding convolution.
/// </summary>
public sealed class PatchEmbedding : Module
{
    /// <summary>Patches of <paramref name="patch"/>² pixels from <paramref name="channels"/>-channel images of the given size.</summary>
    public PatchEmbedding(string name, int channels, int height, int width, int patch, int dim) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patch);
        if (height % patch != 0 || width % patch != 0)
            throw new ArgumentException($"patch embedding '{name}': a {height}x{width} image does not split into {patch}x{patch} patches");
        (Channels, Height, Width, Patch, Dim) = (channels, height, width, patch, dim);
        Projection = AddModule(new Linear(Qualify("proj"), channels * patch * patch, dim));
    }

    /// <summary>Image channels.</summary>
    public int Channels { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>Patch side.</summary>
    public int Patch { get; }

    /// <summary>Token width.</summary>
    public int Dim { get; }

    /// <summary>Number of patches per image.</summary>
    public int Tokens => Height / Patch * (Width / Patch);

    /// <summary>The patch projection.</summary>
    public Linear Projection { get; }

    /// <summary>Tokens [B, N, D] of images [B, C, H, W].</summary>
    public Value Forward(GraphScope scope, Value images)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (images.Shape.Rank != 4 || images.Shape[1] != Channels || images.Shape[2] != Height || images.Shape[3] != Width)
            throw new ArgumentException($"patch embedding '{Name}' expects images [batch, {Channels}, {Height}, {Width}], got {images.Type}");
        var b = scope.Builder;
        int batch = images.Shape[0], ph = Height / Patch, pw = Width / Patch;
        var grid = b.Reshape(images, batch, Channels, ph, Patch, pw, Patch);
        var patches = b.Reshape(b.Transpose(grid, 0, 2, 4, 1, 3, 5), batch, ph * pw, Channels * Patch * Patch);
        return Projection.Forward(scope, patches);
    }
}
