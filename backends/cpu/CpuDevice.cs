using System.Globalization;
using System.Runtime.InteropServices;
using Pixelfly.Backends.Cpu.Kernels;
using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu;

/// <summary>
/// The CPU device: host-memory tensors, a persistent worker pool sized to the cores, and a compiler that turns a
/// graph into a list of prepared kernels over a liveness-planned arena. Computes in f32 (f16/bf16 values are widened
/// on the way in and rounded to their dtype after every node); f64 is not supported.
/// </summary>
public sealed class CpuDevice : IDevice
{
    private readonly WorkerPool _pool;
    private bool _disposed;

    /// <summary>Opens the device with the given options; <paramref name="threadCount"/> defaults to the logical processors.</summary>
    public CpuDevice(DeviceOptions options, int? threadCount = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Features = CpuFeatures.Detect(options, threadCount);
        Info = Describe(Features, options);
        _pool = new WorkerPool(Features.ThreadCount);
    }

    /// <summary>Opens the device with no features disabled.</summary>
    public CpuDevice() : this(DeviceOptions.None) { }

    /// <inheritdoc/>
    public DeviceInfo Info { get; }

    /// <summary>The SIMD width and thread count the kernels use.</summary>
    public CpuFeatures Features { get; }

    internal bool IsDisposed => _disposed;

    internal WorkerPool Pool
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _pool;
        }
    }

    /// <inheritdoc/>
    public Support Supports(Op op, IReadOnlyList<TensorType> inputTypes)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(inputTypes);
        return KernelFactory.Supports(op, inputTypes);
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
        ArgumentNullException.ThrowIfNull(graph);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new CpuExecutable(this, graph);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _pool.Dispose();
    }

    internal static DeviceInfo Describe(CpuFeatures features, DeviceOptions options)
    {
        var caps = new Dictionary<string, string>
        {
            ["simd.width"] = features.SimdWidthBits.ToString(CultureInfo.InvariantCulture),
            ["threads"] = features.ThreadCount.ToString(CultureInfo.InvariantCulture),
            ["isa"] = CpuFeatures.InstructionSets(),
            ["compute"] = "f32",
            ["storage"] = "f32,f16,bf16,i32",
            ["fusion"] = features.UseFusion ? "elementwise" : "off",
        };
        var disabled = options.DisabledFeatures.Where(f => f.StartsWith("cpu.", StringComparison.OrdinalIgnoreCase)).Order().ToArray();
        if (disabled.Length > 0) caps["disabled"] = string.Join(",", disabled);
        return new DeviceInfo(
            Id: "cpu",
            Backend: CpuBackend.BackendName,
            Name: CpuFeatures.ProcessorName(),
            Driver: $"{RuntimeInformation.FrameworkDescription}, Vector{features.SimdWidthBits} kernels",
            MemoryBytes: GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            Capabilities: caps);
    }
}
