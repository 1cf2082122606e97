using Pixelfly.Tensors;

namespace Pixelfly.Nn.Data;

/// <summary>
/// Grey-scale images (bytes, scaled to [0, 1] and normalised with the training split's mean and std when batched)
/// with integer labels; batches as tensors [B, 1, H, W] (f32) and [B] (i32).
/// </summary>
public sealed class ImageDataset
{
    private readonly byte[] _pixels;
    private readonly byte[] _labels;

    /// <summary>A data set of <paramref name="count"/> images of <paramref name="height"/>×<paramref name="width"/> pixels.</summary>
    public ImageDataset(string name, byte[] pixels, byte[] labels, int count, int height, int width, int classes)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (pixels.Length != (long)count * height * width || labels.Length != count)
            throw new DataException($"{name}: {count} images of {height}x{width} need {(long)count * height * width} pixel bytes and {count} labels, got {pixels.Length} and {labels.Length}");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classes) throw new DataException($"{name}: label {labels[i]} of image {i} is outside [0, {classes})");
        (Name, _pixels, _labels, Count, Height, Width, Classes) = (name, pixels, labels, count, height, width, classes);
    }

    /// <summary>What it is ("fashion-mnist/train").</summary>
    public string Name { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Label of image <paramref name="index"/>.</summary>
    public int Label(int index) => _labels[index];

    /// <summary>
    /// The images at <paramref name="indices"/> as a batch: pixels/255 normalised by (x − mean)/std, and labels. Rows
    /// past the end of <paramref name="indices"/> (a padded final batch of <paramref name="batchSize"/>) are zeros
    /// with label 0; the caller ignores them.
    /// </summary>
    public (HostTensor Images, HostTensor Labels) Batch(ReadOnlySpan<int> indices, int batchSize, float mean, float std)
    {
        if (indices.Length > batchSize) throw new ArgumentException($"{indices.Length} indices do not fit a batch of {batchSize}");
        int pixels = Height * Width;
        var images = new float[batchSize * pixels];
        var labels = new int[batchSize];
        for (int n = 0; n < indices.Length; n++)
        {
            int i = indices[n];
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), i, $"{Name} has {Count} images");
            for (int p = 0; p < pixels; p++) images[n * pixels + p] = (_pixels[(long)i * pixels + p] / 255f - mean) / std;
            labels[n] = _labels[i];
        }
        return (HostTensor.FromFloats(images, batchSize, 1, Height, Width), HostTensor.FromInts(labels, batchSize));
    }

    /// <summary>Mean and standard deviation of the pixels scaled to [0, 1] (computed on the training split).</summary>
    public (float Mean, float Std) PixelStatistics()
    {
        double sum = 0, squares = 0;
        foreach (byte b in _pixels)
        {
            double v = b / 255.0;
            sum += v;
            squares += v * v;
        }
        double mean = sum / _pixels.Length;
        return ((float)mean, (float)Math.Sqrt(Math.Max(1e-12, squares / _pixels.Length - mean * mean)));
    }
}
