using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Pixelfly.Backends.Cuda.Interop;
using Pixelfly.Backends.Cuda.Lowering;

namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>
/// Compiles kernel variants with NVRTC: the variant's source with every embedded header, options
/// <c>--std=c++17 -arch=sm_XX -DNAME=VALUE...</c>. Any error or warning fails (<see cref="KernelCompilationException"/>
/// with the variant key, the options and NVRTC's full log): a clean compile has an empty log. Results are memoised
/// in memory and cached on disk under a SHA-256 of everything that determines the binary (the source and every
/// header's text, the options, the target, the NVRTC version). Pure host work: no GPU or libcuda needed.
/// </summary>
internal sealed class NvrtcCompiler
{
    // Bumped when the cache key's recipe or the entry format changes, so stale entries are never read.
    private const string KeyRecipe = "pixelfly-cuda-kernel-v1";

    private readonly NvrtcApi _nvrtc;
    private readonly KernelSources _sources;
    private readonly KernelDiskCache? _cache;
    private readonly ConcurrentDictionary<string, Lazy<CompiledKernel>> _memo = new(StringComparer.Ordinal);

    /// <param name="nvrtc">The NVRTC library.</param>
    /// <param name="sources">The kernel sources (normally <see cref="KernelSources.Embedded"/>).</param>
    /// <param name="cache">The disk cache, or null for none.</param>
    public NvrtcCompiler(NvrtcApi nvrtc, KernelSources sources, KernelDiskCache? cache)
    {
        _nvrtc = nvrtc;
        _sources = sources;
        _cache = cache;
    }

    /// <summary>The NVRTC in use.</summary>
    public NvrtcApi Nvrtc => _nvrtc;

    /// <summary>How many compilations NVRTC actually ran (cache hits excluded); for tests and Describe().</summary>
    public int NvrtcCompilations => _nvrtcCompilations;

    private int _nvrtcCompilations;

    /// <summary>The options a variant is compiled with for a target, in the order passed to NVRTC.</summary>
    public static IReadOnlyList<string> OptionsFor(KernelVariant variant, CompileTarget target)
    {
        var options = new List<string> { "--std=c++17", $"-arch={target.ArchOption}" };
        foreach (var (name, value) in variant.Defines)
        {
            if (string.IsNullOrEmpty(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_')))
                throw new ArgumentException($"kernel variant {variant.Key}: define name '{name}' is not a C identifier");
            options.Add($"-D{name}={value}");
        }
        return options;
    }

    /// <summary>Compiles (or fetches from the caches) a variant for a device of compute capability <paramref name="computeCapability"/>.</summary>
    public CompiledKernel Compile(KernelVariant variant, int computeCapability)
    {
        ArgumentNullException.ThrowIfNull(variant);
        var target = CompileTarget.For(computeCapability, _nvrtc.SupportedArchitectures);
        var options = OptionsFor(variant, target);
        string source = _sources.Source(variant.Source);
        string key = CacheKey(variant.Source, source, _sources.Headers, options, target, _nvrtc.Version.ToString());
        // Lazy: concurrent requests for one variant compile it once; a failure is not memoised (retried next time).
        var lazy = _memo.GetOrAdd(key, _ => new Lazy<CompiledKernel>(() => CompileUncached(variant, source, options, target, key)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _memo.TryRemove(new KeyValuePair<string, Lazy<CompiledKernel>>(key, lazy));
            throw;
        }
    }

    /// <summary>The SHA-256 (hex) of every input that determines the compiled binary.</summary>
    public static string CacheKey(string sourceName, string sourceText, IReadOnlyList<(string Name, string Text)> headers,
        IReadOnlyList<string> options, CompileTarget target, string nvrtcVersion)
    {
        var text = new StringBuilder();
        void Field(string label, string value) => text.Append(label).Append('\u0001').Append(value.Length).Append('\u0001').Append(value).Append('\u0002');
        Field("recipe", KeyRecipe);
        Field("source", sourceName);
        Field("text", sourceText);
        foreach (var (name, body) in headers)
        {
            Field("header", name);
            Field("text", body);
        }
        foreach (var o in options) Field("option", o);
        Field("target", $"{target.ArchOption}:{(target.Cubin ? "cubin" : "ptx")}");
        Field("nvrtc", nvrtcVersion);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private CompiledKernel CompileUncached(KernelVariant variant, string source, IReadOnlyList<string> options, CompileTarget target, string key)
    {
        string version = _nvrtc.Version.ToString();
        if (_cache?.TryRead(key) is { } hit && hit.IsCubin == target.Cubin)
            return new CompiledKernel(variant, target.ArchOption, target.Cubin, options, version, hit.Image, key, FromDiskCache: true);
        Interlocked.Increment(ref _nvrtcCompilations);
        var output = _nvrtc.Compile(source, variant.Source, _sources.Headers, options, target.Cubin);
        if (!output.Succeeded || output.Log.Length > 0)
        {
            string what = output.Succeeded ? "compiled with warnings, which are errors here" : "failed to compile";
            throw new KernelCompilationException(
                $"CUDA kernel {variant.Key} {what} (NVRTC {version} from {_nvrtc.LoadedFrom}, options: {string.Join(" ", options)}):\n{output.Log}");
        }
        _cache?.TryWrite(key, output.Image!, target.Cubin);
        return new CompiledKernel(variant, target.ArchOption, target.Cubin, options, version, output.Image!, key, FromDiskCache: false);
    }
}
