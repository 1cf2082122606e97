using System.Runtime.InteropServices;

namespace Pixelfly.Backends.Cuda.Interop;

/// <summary>
/// Where NVRTC is looked for, in order: the folder (or file) named by PIXELFLY_NVRTC_PATH; the sonames of CUDA 13,
/// 12 and 11 (Debian's libnvrtc11.2 package) and the unversioned name, through the dynamic loader's own search;
/// a CUDA toolkit's library folder ($CUDA_HOME/lib64, /usr/local/cuda/lib64 and its targets/ twin), which the
/// loader does not always search; then the folder scripts/fetch-nvrtc.sh unpacks into ($PIXELFLY_NVRTC_DIR/lib, else
/// ~/.cache/pixelfly/nvrtc/lib). An installed CUDA toolkit therefore wins over the fetched copy, and an explicit path
/// wins over both.
/// </summary>
internal static class NvrtcLocator
{
    /// <summary>A folder holding libnvrtc (or the library file itself), tried first.</summary>
    public const string PathEnvVar = "PIXELFLY_NVRTC_PATH";

    /// <summary>The folder scripts/fetch-nvrtc.sh writes to (its lib/ subfolder holds the libraries).</summary>
    public const string FetchDirEnvVar = "PIXELFLY_NVRTC_DIR";

    /// <summary>Library names, newest CUDA first; libnvrtc.so.11.2 is the soname of every CUDA 11.x NVRTC.</summary>
    public static IReadOnlyList<string> Sonames { get; } = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"];

    /// <summary>The default folder of scripts/fetch-nvrtc.sh for a home directory.</summary>
    public static string DefaultFetchDir(string home) => Path.Combine(home, ".cache", "pixelfly", "nvrtc");

    /// <summary>CUDA toolkit library folders tried after the loader's search (CUDA_HOME's first when set).</summary>
    public static IReadOnlyList<string> ToolkitFolders(string? cudaHome) =>
        [.. string.IsNullOrWhiteSpace(cudaHome) ? [] : new[] { Path.Combine(cudaHome.Trim(), "lib64") },
            "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib"];

    /// <summary>The candidates from this process's environment.</summary>
    public static IReadOnlyList<string> Candidates() =>
        Candidates(Environment.GetEnvironmentVariable(PathEnvVar), Environment.GetEnvironmentVariable(FetchDirEnvVar),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            Environment.GetEnvironmentVariable("CUDA_HOME") ?? Environment.GetEnvironmentVariable("CUDA_PATH"));

    /// <summary>The candidates, in the order they are tried (pure: the test of the probing order calls this).</summary>
    public static IReadOnlyList<string> Candidates(string? explicitPath, string? fetchDir, string? home, string? cudaHome = null)
    {
        var list = new List<string>();
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            explicitPath = explicitPath.Trim();
            if (File.Exists(explicitPath)) list.Add(Path.GetFullPath(explicitPath));
            else list.AddRange(Sonames.Select(s => Path.Combine(Path.GetFullPath(explicitPath), s)));
        }
        list.AddRange(Sonames);
        foreach (var folder in ToolkitFolders(cudaHome).Distinct())
            list.AddRange(Sonames.Where(s => s != "libnvrtc.so").Select(s => Path.Combine(folder, s)));
        var fetchDirs = new List<string>();
        if (!string.IsNullOrWhiteSpace(fetchDir)) fetchDirs.Add(fetchDir.Trim());
        if (!string.IsNullOrWhiteSpace(home)) fetchDirs.Add(DefaultFetchDir(home));
        foreach (var dir in fetchDirs.Distinct())
            list.AddRange(Sonames.Select(s => Path.Combine(Path.GetFullPath(dir), "lib", s)));
        return list;
    }

    /// <summary>
    /// libnvrtc dlopens libnvrtc-builtins by bare name at its first compile, which fails when the library was found
    /// by path in a folder the dynamic loader does not search. Loading every builtins library beside it by full path
    /// first makes that later dlopen find the already-loaded soname. Nothing happens for a bare-name load.
    /// </summary>
    public static IReadOnlyList<string> PreloadBuiltins(string loadedAs)
    {
        var loaded = new List<string>();
        if (!loadedAs.Contains('/')) return loaded;
        var folder = Path.GetDirectoryName(loadedAs);
        if (folder is null || !Directory.Exists(folder)) return loaded;
        foreach (var file in Directory.EnumerateFiles(folder, "libnvrtc-builtins.so*").Order(StringComparer.Ordinal))
            if (NativeLibrary.TryLoad(file, out _)) loaded.Add(file);
        return loaded;
    }

    /// <summary>What to do when NVRTC is not found, for error messages and test skips.</summary>
    public const string InstallHint =
        "install the CUDA toolkit's NVRTC (libnvrtc.so.13/12/11.2), or run scripts/fetch-nvrtc.sh (Debian non-free's libnvrtc11.2), or set PIXELFLY_NVRTC_PATH to the folder holding libnvrtc";
}
