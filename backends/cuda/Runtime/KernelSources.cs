using System.Reflection;

namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>
/// The CUDA C++ sources NVRTC compiles, by file name: every Kernels/**/*.cu and *.cuh embedded in the assembly
/// (resource names "pixelfly.cuda.&lt;file name&gt;", see the project file). Every .cuh is handed to NVRTC as a header
/// so that <c>#include "common.cuh"</c> resolves without any CUDA headers. Tests build their own sets.
/// </summary>
internal sealed class KernelSources
{
    private const string ResourcePrefix = "pixelfly.cuda.";
    private static readonly Lazy<KernelSources> EmbeddedSources = new(LoadEmbedded);
    private readonly Dictionary<string, string> _files;

    /// <summary>A set of sources from (file name → text).</summary>
    public KernelSources(IReadOnlyDictionary<string, string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        _files = new Dictionary<string, string>(files, StringComparer.Ordinal);
        Headers = _files.Where(f => f.Key.EndsWith(".cuh", StringComparison.Ordinal))
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => (f.Key, f.Value))
            .ToArray();
    }

    /// <summary>The kernels embedded in this assembly.</summary>
    public static KernelSources Embedded => EmbeddedSources.Value;

    /// <summary>Every header (.cuh) as (include name, text), in name order.</summary>
    public IReadOnlyList<(string Name, string Text)> Headers { get; }

    /// <summary>Every file name, in order.</summary>
    public IEnumerable<string> FileNames => _files.Keys.Order(StringComparer.Ordinal);

    /// <summary>The text of a kernel source; an unknown name is an error listing what exists.</summary>
    public string Source(string fileName) =>
        _files.TryGetValue(fileName, out var text)
            ? text
            : throw new KeyNotFoundException($"no CUDA kernel source named '{fileName}' is embedded (known: {string.Join(", ", FileNames)})");

    private static KernelSources LoadEmbedded()
    {
        var assembly = typeof(KernelSources).Assembly;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            files[resource[ResourcePrefix.Length..]] = reader.ReadToEnd();
        }
        return new KernelSources(files);
    }
}
