namespace Pixelfly.Nn.Layers;

/// <summary>The standard linear factories: dense everywhere, or Pixelfly with one budget.</summary>
public static class LinearFactories
{
    /// <summary>Dense <see cref="Linear"/> layers with bias.</summary>
    public static LinearFactory Dense { get; } = (name, i, o) => new Linear(name, i, o);

    /// <summary>Pixelfly layers with the given budget.</summary>
    public static LinearFactory Pixelfly(PixelflyConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return (name, i, o) => new PixelflyLinear(name, i, o, config);
    }
}
