using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Backends.Vulkan.Runtime;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan;

/// <summary>
/// One Vulkan physical device opened for compute: a logical device with one compute queue, device-local tensors
/// with staging transfers, a pipeline cache, and a compiler that turns graphs into recorded command buffers.
/// Values are computed in f32 (f16/bf16 widened on the way in and rounded after every node); f64 is not supported.
/// </summary>
public sealed class VulkanDevice : IDevice, IDeviceDiagnostics
{
    private readonly VulkanInstance _instance;
    private readonly HashSet<object> _live = new(ReferenceEqualityComparer.Instance);
    private readonly IVulkanLowering _lowering;
    private bool _disposed;

    internal VulkanDevice(int index, DeviceOptions options, bool validation, IVulkanLowering? lowering = null, bool echoValidation = false)
    {
        _lowering = lowering ?? BuiltInLowering.Instance;
        _instance = VulkanInstance.Create(validation, echoValidation);
        try
        {
            var physical = _instance.PhysicalDevices();
            if (index < 0 || index >= physical.Length)
                throw new DeviceUnavailableException($"there is no device {VulkanBackend.BackendName}:{index}: the Vulkan loader reports {physical.Length} device(s)");
            var facts = PhysicalDeviceFacts.Query(_instance, physical[index], index);
            Context = new VulkanContext(_instance, physical[index], facts, !options.IsDisabled(VulkanFeatures.CooperativeMatrix));
            Transfers = new Transfers(Context);
            Pipelines = new Pipelines(Context);
            Info = facts.Describe(options);
            Limits = facts.Limits(options);
            Options = options;
        }
        catch
        {
            Context?.Dispose();
            _instance.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public DeviceInfo Info { get; }

    /// <summary>The options the device was opened with (disabled features).</summary>
    public DeviceOptions Options { get; }

    /// <summary>True when the Khronos validation layer is on for this device.</summary>
    public bool ValidationEnabled => _instance.Messenger is not null;

    /// <summary>Validation-layer warnings and errors received so far (empty when validation is off).</summary>
    public IReadOnlyList<string> ValidationMessages => _instance.Messenger?.Messages ?? [];

    /// <summary>Returns the validation messages received so far and forgets them.</summary>
    public IReadOnlyList<string> TakeValidationMessages() => _instance.Messenger?.Take() ?? [];

    /// <inheritdoc/>
    public IReadOnlyList<string> TakeDiagnostics() => TakeValidationMessages();

    internal VulkanContext Context { get; }

    internal Transfers Transfers { get; }

    internal Pipelines Pipelines { get; }

    internal LoweringLimits Limits { get; }

    internal bool IsDisposed => _disposed;

    /// <inheritdoc/>
    public Support Supports(Op op, IReadOnlyList<TensorType> inputTypes)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(inputTypes);
        return _lowering.Supports(op, inputTypes);
    }

    /// <inheritdoc/>
    public IDeviceTensor Allocate(TensorType type, int guardBytes = 0)
    {
        AllocationCheck.Validate(type, guardBytes, this, _disposed, "vulkan");
        ulong limit = Context.Facts.MaxStorageBufferRange;
        if ((ulong)type.ByteCount > limit)
            throw new NotSupportedException($"tensor {type} needs {DeviceBuffer.FormatBytes((ulong)type.ByteCount)}, more than {Info.Id}'s largest storage buffer ({DeviceBuffer.FormatBytes(limit)}, maxStorageBufferRange); split it into smaller tensors");
        var tensor = new VulkanTensor(this, type, guardBytes);
        Track(tensor);
        return tensor;
    }

    /// <inheritdoc/>
    public IExecutable Compile(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new VulkanExecutable(this, graph, _lowering);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        object[] live;
        lock (_live) live = _live.ToArray();
        foreach (var o in live.OfType<VulkanExecutable>()) o.ReleaseForDevice();
        _disposed = true;
        Pipelines.Dispose();
        Transfers.Dispose();
        lock (_live)
        {
            foreach (var t in _live.OfType<VulkanTensor>()) t.ReleaseForDevice();
            _live.Clear();
        }
        Context.Dispose();
        _instance.Dispose();
    }

    internal void Track(object o)
    {
        lock (_live) _live.Add(o);
    }

    internal void Untrack(object o)
    {
        lock (_live) _live.Remove(o);
    }

    internal void Release(VulkanTensor tensor, DeviceBuffer buffer)
    {
        lock (_live)
        {
            if (!_live.Remove(tensor)) return;
            buffer.Dispose();
        }
    }
}
