using Pixelfly.Backends.Cuda.Interop;
using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Backends.Cuda.Runtime;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda;

/// <summary>
/// One NVIDIA GPU opened for Pixelfly: its primary CUDA context and a stream, device memory through a caching
/// allocator, kernels compiled by NVRTC for the device's exact architecture (cached on disk) and graphs compiled into
/// executables that replay as CUDA graphs. Tensors hold native storage (f16/bf16 as 16-bit values); f64 is not
/// supported.
/// </summary>
public sealed class CudaDevice : IDevice
{
    // One compiler per process: its in-memory memo then serves every device and executable (NVRTC is host work, the
    // binary depends only on the architecture, which is part of the key).
    private static readonly Lazy<NvrtcCompiler> SharedCompiler =
        new(() => new NvrtcCompiler(NvrtcApi.Require(), KernelSources.Embedded, KernelDiskCache.FromEnvironment()));

    private readonly HashSet<object> _live = new(ReferenceEqualityComparer.Instance);
    private readonly ICudaLowering _lowering;
    private readonly Lazy<NvrtcCompiler> _compiler;
    private bool _disposed;

    internal CudaDevice(CudaDriverApi api, int ordinal, DeviceOptions options, ICudaLowering? lowering = null)
    {
        _lowering = lowering ?? CudaLowering.Instance;
        int count = api.DeviceCount();
        if (ordinal < 0 || ordinal >= count)
            throw new DeviceUnavailableException($"there is no device {CudaBackend.BackendName}:{ordinal}: the CUDA driver reports {count} device(s)");
        var facts = CudaDeviceFacts.Query(api, ordinal);
        Context = new CudaContext(api, facts);
        try
        {
            Options = options;
            Limits = facts.Limits(options);
            Info = facts.Describe(options, CudaBackend.NvrtcDescription());
            Allocator = new CachingAllocator(new DriverMemory(api), facts.Id);
            _compiler = SharedCompiler;
            Modules = new KernelModules(Context, () => _compiler.Value);
        }
        catch
        {
            Context.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public DeviceInfo Info { get; }

    /// <summary>The options the device was opened with (opt-ins and switch-offs).</summary>
    public DeviceOptions Options { get; }

    /// <summary>Bytes held by live tensors and executables.</summary>
    public long LiveBytes => Allocator.LiveBytes;

    /// <summary>Bytes of freed device memory kept for reuse.</summary>
    public long CachedBytes => Allocator.CachedBytes;

    internal CudaContext Context { get; }

    internal CachingAllocator Allocator { get; }

    internal KernelModules Modules { get; }

    internal CudaLoweringLimits Limits { get; }

    internal bool IsDisposed => _disposed;

    /// <summary>Releases the device memory cached for reuse back to the driver.</summary>
    public void Trim()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (Context.Gate)
        {
            Context.Enter();
            Allocator.Trim();
        }
    }

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
        AllocationCheck.Validate(type, guardBytes, this, _disposed, "cuda");
        CudaTensor tensor;
        lock (Context.Gate)
        {
            Context.Enter();
            tensor = new CudaTensor(this, type, guardBytes);
        }
        Track(tensor);
        return tensor;
    }

    /// <inheritdoc/>
    public IExecutable Compile(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var exe = new CudaExecutable(this, graph, _lowering);
        Track(exe);
        return exe;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        object[] live;
        lock (_live) live = _live.ToArray();
        foreach (var e in live.OfType<CudaExecutable>()) e.Dispose();
        lock (Context.Gate)
        {
            _disposed = true;
            lock (_live) _live.Clear();
            try
            {
                Context.Api.SetCurrent(Context.Handle);
                Modules.Dispose();
                Allocator.Dispose();
            }
            catch (CudaException)
            {
                // A device whose context failed (a sticky launch error) still releases its context below.
            }
            Context.Dispose();
        }
    }

    internal void Track(object o)
    {
        lock (_live) _live.Add(o);
    }

    internal void Untrack(object o)
    {
        lock (_live) _live.Remove(o);
    }

    internal void Release(CudaTensor tensor, DeviceBlock block)
    {
        lock (Context.Gate)
        {
            lock (_live)
                if (!_live.Remove(tensor)) return;
            if (_disposed) return;
            Context.Enter();
            Allocator.Free(block);
        }
    }
}
