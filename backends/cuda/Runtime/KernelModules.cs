using Pixelfly.Backends.Cuda.Interop;
using Pixelfly.Backends.Cuda.Lowering;

namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>A kernel function ready to launch: its handle and the compiled module it came from.</summary>
internal sealed record LoadedFunction(nint Handle, CompiledKernel Kernel, string Name);

/// <summary>
/// The device's loaded modules: each variant compiled once (NVRTC, disk cache) and loaded once per device, each
/// function looked up once. Functions that need more than the default 48 KiB of dynamic shared memory get their
/// opt-in attribute raised to the largest amount any launch asked for. Thread-safe; modules live until the device
/// closes (executables of one device share them).
/// </summary>
internal sealed class KernelModules(CudaContext context, Func<NvrtcCompiler> compiler) : IDisposable
{
    private const int DefaultDynamicSharedLimit = 48 * 1024;

    private readonly object _gate = new();
    private readonly Dictionary<KernelVariant, (nint Module, CompiledKernel Kernel)> _modules = [];
    private readonly Dictionary<(KernelVariant, string), (LoadedFunction Function, int SharedOptIn)> _functions = [];

    /// <summary>Modules loaded so far.</summary>
    public int Count
    {
        get { lock (_gate) return _modules.Count; }
    }

    /// <summary>Every compiled kernel loaded on the device, in load order.</summary>
    public IReadOnlyList<CompiledKernel> Kernels
    {
        get { lock (_gate) return _modules.Values.Select(m => m.Kernel).ToArray(); }
    }

    /// <summary>
    /// Compiles the variants not loaded yet in parallel (NVRTC is thread-safe and each compile is single-threaded;
    /// a graph with many kernels otherwise compiles them one by one). Loading stays in <see cref="Function"/>.
    /// </summary>
    public void Prepare(IEnumerable<KernelVariant> variants)
    {
        KernelVariant[] missing;
        lock (_gate) missing = variants.Distinct().Where(v => !_modules.ContainsKey(v)).ToArray();
        if (missing.Length < 2) return;
        var nvrtc = compiler();
        int cc = context.Facts.ComputeCapability;
        try
        {
            Parallel.ForEach(missing, v => nvrtc.Compile(v, cc));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // The first compile error as itself (with its NVRTC log), not wrapped.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>The function of a launch, compiling and loading its module on first use.</summary>
    public LoadedFunction Function(KernelVariant variant, string name, int dynamicSharedBytes)
    {
        lock (_gate)
        {
            context.Enter();
            if (!_modules.TryGetValue(variant, out var module))
            {
                var kernel = compiler().Compile(variant, context.Facts.ComputeCapability);
                module = (context.Api.LoadModule(kernel.Image, kernel.Describe()), kernel);
                _modules[variant] = module;
            }
            if (!_functions.TryGetValue((variant, name), out var entry))
            {
                var handle = context.Api.Function(module.Module, name, module.Kernel.Describe());
                entry = (new LoadedFunction(handle, module.Kernel, name), DefaultDynamicSharedLimit);
            }
            if (dynamicSharedBytes > entry.SharedOptIn)
            {
                context.Api.SetAttribute(entry.Function.Handle, CuFunctionAttribute.MaxDynamicSharedSizeBytes, dynamicSharedBytes, $"{name} in {variant.Key}");
                entry.SharedOptIn = dynamicSharedBytes;
            }
            _functions[(variant, name)] = entry;
            return entry.Function;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var (module, _) in _modules.Values)
            {
                try
                {
                    context.Api.UnloadModule(module);
                }
                catch (CudaException)
                {
                    // Teardown continues; the context release frees what is left.
                }
            }
            _modules.Clear();
            _functions.Clear();
        }
    }
}
