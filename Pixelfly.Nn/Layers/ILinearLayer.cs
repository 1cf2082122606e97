using Pixelfly.Ir;

namespace Pixelfly.Nn.Layers;

/// <summary>A layer mapping [..., in] to [..., out]: dense, low-rank or Pixelfly, interchangeable in models.</summary>
public interface ILinearLayer
{
    /// <summary>Input features.</summary>
    int InFeatures { get; }

    /// <summary>Output features.</summary>
    int OutFeatures { get; }

    /// <summary>Trainable values as a fraction of a dense in×out weight (bias and gate not counted, as fly counts).</summary>
    double Density { get; }

    /// <summary>Multiply-adds per token of the forward pass (what a FLOP count multiplies by 2).</summary>
    long MultiplyAddsPerToken { get; }

    /// <summary>Builds y = layer(x) for x of shape [..., in].</summary>
    Value Forward(GraphScope scope, Value x);
}

/// <summary>Makes the linear layers of a model, so one model class builds its dense and its Pixelfly variant.</summary>
/// <param name="name">The layer's module name.</param>
/// <param name="inFeatures">Input features.</param>
/// <param name="outFeatures">Output features.</param>
public delegate Module LinearFactory(string name, int inFeatures, int outFeatures);
