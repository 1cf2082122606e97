using System.Buffers.Binary;
using System.Security.Cryptography;
using Pixelfly.IO;

namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>
/// Compiled kernels on disk, one file per key (the SHA-256 the compiler derives from every input of the
/// compilation). Folder: PIXELFLY_CUDA_CACHE, else $XDG_CACHE_HOME/pixelfly/cuda, else ~/.cache/pixelfly/cuda.
/// Entries are written atomically (temp file + rename) and carry a checksum of their payload: an entry that is
/// truncated, corrupt or unreadable is reported as a miss (and overwritten by the recompiled one), never an error.
/// Failing to write the cache (read-only folder, full disk) costs only the next compile, so it is ignored.
/// </summary>
internal sealed class KernelDiskCache
{
    /// <summary>Overrides the cache folder.</summary>
    public const string FolderEnvVar = "PIXELFLY_CUDA_CACHE";

    // Layout: magic (8) | flags int32 (bit 0: cubin) | payload length int32 | SHA-256 of payload (32) | payload.
    private static readonly byte[] Magic = "PFCUDA01"u8.ToArray();
    private const int HeaderBytes = 8 + 4 + 4 + 32;

    public KernelDiskCache(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = folder;
    }

    /// <summary>The folder entries live in.</summary>
    public string Folder { get; }

    /// <summary>The cache in the folder the environment names.</summary>
    public static KernelDiskCache FromEnvironment() =>
        new(DefaultFolder(Environment.GetEnvironmentVariable(FolderEnvVar), Environment.GetEnvironmentVariable("XDG_CACHE_HOME"),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)));

    /// <summary>The folder rule, pure for tests.</summary>
    public static string DefaultFolder(string? explicitFolder, string? xdgCacheHome, string home) =>
        !string.IsNullOrWhiteSpace(explicitFolder) ? explicitFolder.Trim()
        : !string.IsNullOrWhiteSpace(xdgCacheHome) ? Path.Combine(xdgCacheHome.Trim(), "pixelfly", "cuda")
        : Path.Combine(home, ".cache", "pixelfly", "cuda");

    /// <summary>The file of a key.</summary>
    public string PathOf(string key) => Path.Combine(Folder, key + ".bin");

    /// <summary>The cached binary for the key, or null when absent or unusable.</summary>
    public (byte[] Image, bool IsCubin)? TryRead(string key)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathOf(key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (bytes.Length < HeaderBytes || !bytes.AsSpan(0, 8).SequenceEqual(Magic)) return null;
        int flags = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        if (length <= 0 || length != bytes.Length - HeaderBytes) return null;
        var payload = bytes.AsSpan(HeaderBytes);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(16, 32))) return null;
        return (payload.ToArray(), (flags & 1) != 0);
    }

    /// <summary>Stores a binary; returns false (and leaves no partial file) when the folder cannot be written.</summary>
    public bool TryWrite(string key, byte[] image, bool isCubin)
    {
        var bytes = new byte[HeaderBytes + image.Length];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), isCubin ? 1 : 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), image.Length);
        SHA256.HashData(image).CopyTo(bytes, 16);
        image.CopyTo(bytes, HeaderBytes);
        try
        {
            Directory.CreateDirectory(Folder);
            AtomicFile.WriteAllBytes(PathOf(key), bytes);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
