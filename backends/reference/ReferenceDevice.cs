using Pixelfly.Backends.Reference.Kernels;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Reference;

/// <summary>The "ref" device: tensors in host memory, every op of the IR supported, graphs interpreted in double.</summary>
public sealed class ReferenceDevice : IDevice
{
    private bool _disposed;

    internal ReferenceDevice(DeviceInfo info) => Info = info;

    /// <inheritdoc/>
    public DeviceInfo Info { get; }

    /// <inheritdoc/>
    public Support Supports(Op op, IReadOnlyList<TensorType> inputTypes)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(inputTypes);
        if (!OpEvaluator.Handles(op))
            return Support.No($"the reference backend has no kernel for op '{op.Name}' ({op.GetType().Name})");
        try
        {
            op.InferTypes(inputTypes);
        }
        catch (OpTypeException e)
        {
            return Support.No($"{op.Name} does not accept inputs ({string.Join(", ", inputTypes)}): {e.Message}");
        }
        return Support.Yes;
    }

    /// <inheritdoc/>
    public IDeviceTensor Allocate(TensorType type, int guardBytes = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new HostMemoryTensor(type, guardBytes);
    }

    /// <inheritdoc/>
    public IExecutable Compile(Graph graph)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(graph);
        foreach (var node in graph.Nodes)
            if (!OpEvaluator.Handles(node.Op))
                throw new UnsupportedOpException($"node {node.Index} ({node.Op.Name}): the reference backend has no kernel for {node.Op.GetType().Name}");
        return new ReferenceExecutable(this, graph);
    }

    /// <inheritdoc/>
    public void Dispose() => _disposed = true;
}
