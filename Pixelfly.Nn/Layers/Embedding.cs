using Pixelfly.Ir;
using Pixelfly.Nn.Init;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Layers;

/// <summary>A lookup table [count, dim] indexed by i32 ids (default init normal(0, 1) as PyTorch; GPT uses 0.02).</summary>
public sealed class Embedding : Module
{
    /// <summary>An embedding of <paramref name="count"/> ids into <paramref name="dim"/> features.</summary>
    public Embedding(string name, int count, int dim, Initializer? init = null) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        (Count, Dim) = (count, dim);
        Table = AddParameter("weight", init ?? Initializer.Normal(1.0), weightDecay: true, count, dim);
    }

    /// <summary>Number of ids.</summary>
    public int Count { get; }

    /// <summary>Features per id.</summary>
    public int Dim { get; }

    /// <summary>The table [count, dim].</summary>
    public Parameter Table { get; }

    /// <summary>Rows of the table for ids [...] (i32) → [..., dim]; an id outside [0, count) fails the run.</summary>
    public Value Forward(GraphScope scope, Value ids)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (ids.Type.DType != DType.I32)
            throw new ArgumentException($"embedding '{Name}' takes i32 ids, got {ids.Type}");
        return scope.Builder.Gather(scope.Use(Table), ids);
    }
}
