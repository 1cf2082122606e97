using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Devices;

/// <summary>An opened device: memory, op support and compilation. Disposing releases everything it owns.</summary>
public interface IDevice : IDisposable
{
    /// <summary>What the device is.</summary>
    DeviceInfo Info { get; }

    /// <summary>Whether the device runs this op on these input types. True means results must conform.</summary>
    Support Supports(Op op, IReadOnlyList<TensorType> inputTypes);

    /// <summary>
    /// Allocates a tensor. With guardBytes &gt; 0 the allocation is surrounded by guard bands holding a known
    /// pattern, so tests can detect writes outside the tensor (<see cref="IDeviceTensor.GuardsIntact"/>).
    /// </summary>
    IDeviceTensor Allocate(TensorType type, int guardBytes = 0);

    /// <summary>Compiles a graph; throws <see cref="UnsupportedOpException"/> naming the first op it cannot run.</summary>
    IExecutable Compile(Graph graph);
}

/// <summary>A tensor in device memory.</summary>
public interface IDeviceTensor : IDisposable
{
    /// <summary>Its type.</summary>
    TensorType Type { get; }

    /// <summary>Copies packed little-endian bytes in (length must equal Type.ByteCount).</summary>
    void Upload(ReadOnlySpan<byte> data);

    /// <summary>Copies the tensor out into packed little-endian bytes.</summary>
    void Download(Span<byte> destination);

    /// <summary>True when no write touched the guard bands (always true without guards).</summary>
    bool GuardsIntact();
}

/// <summary>A compiled graph, reusable for any number of runs.</summary>
public interface IExecutable : IDisposable
{
    /// <summary>The graph it runs.</summary>
    Graph Graph { get; }

    /// <summary>
    /// Runs the graph. Every input and parameter must be bound in <paramref name="inputs"/>, every output in
    /// <paramref name="outputs"/>, with matching types; an output that donates an input must be bound to the
    /// same tensor as that input. Mismatched bindings throw <see cref="BindingException"/>; data the ops reject
    /// (an index or label out of range) throws <see cref="ExecutionException"/>.
    /// </summary>
    void Run(IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs);

    /// <summary>A human-readable summary of the compiled program (kernels, memory plan).</summary>
    string Describe();
}
