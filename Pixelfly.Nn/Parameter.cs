using Pixelfly.Nn.Init;
using Pixelfly.Tensors;

namespace Pixelfly.Nn;

/// <summary>
/// A trainable f32 tensor of a module: its full dotted name ("blocks.0.mlp.fc1.bias"), shape, initial-value rule,
/// whether weight decay applies (not to biases and norms), and its host values once initialised.
/// </summary>
public sealed class Parameter
{
    internal Parameter(string name, Shape shape, Initializer initializer, bool weightDecay)
    {
        Name = name;
        Shape = shape;
        Initializer = initializer;
        WeightDecay = weightDecay;
    }

    /// <summary>The full dotted name, unique within a model.</summary>
    public string Name { get; }

    /// <summary>The shape.</summary>
    public Shape Shape { get; }

    /// <summary>The tensor type (always f32: parameters are trained in f32).</summary>
    public TensorType Type => new(DType.F32, Shape);

    /// <summary>How the initial values are drawn.</summary>
    public Initializer Initializer { get; }

    /// <summary>Whether the optimizer's weight decay applies.</summary>
    public bool WeightDecay { get; }

    /// <summary>The values (row-major), or null before <see cref="Module.Initialize"/>.</summary>
    public float[]? Values { get; private set; }

    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.ElementCount;

    /// <summary>Draws the initial values from the parameter's own stream of <paramref name="seed"/>.</summary>
    internal void Initialize(ulong seed)
    {
        var values = new float[Shape.ElementCount];
        Initializer.Fill(SeededRandom.For(seed, Name), values);
        Values = values;
    }

    /// <summary>Replaces the values (a checkpoint being loaded); the length must match.</summary>
    public void SetValues(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Shape.ElementCount)
            throw new ArgumentException($"parameter '{Name}' {Type} holds {Shape.ElementCount} values, got {values.Length}", nameof(values));
        Values = values;
    }

    /// <summary>The values as a host tensor; throws when the parameter is not initialised.</summary>
    public HostTensor ToHostTensor() =>
        HostTensor.FromFloats(Values ?? throw new InvalidOperationException($"parameter '{Name}' is not initialised (call Initialize on its model)"), Shape.ToArray());

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Type}";
}
