using System.Runtime.InteropServices;

namespace Pixelfly.Backends.Cuda.Interop;

/// <summary>A native library loaded by <see cref="NativeLibraryProbe"/>: its handle and the name or path that loaded.</summary>
internal sealed record LoadedLibrary(nint Handle, string LoadedAs);

/// <summary>
/// Loads the first of several candidate library names or paths. Used instead of DllImport so that a missing
/// library is a value (with the list of what was tried) rather than an exception at the first call.
/// </summary>
internal static class NativeLibraryProbe
{
    /// <summary>The first candidate that loads, or null; <paramref name="tried"/> lists every attempt.</summary>
    public static LoadedLibrary? TryLoadFirst(IEnumerable<string> candidates, out IReadOnlyList<string> tried)
    {
        var attempts = new List<string>();
        tried = attempts;
        foreach (var candidate in candidates)
        {
            attempts.Add(candidate);
            // A path that does not exist is skipped cheaply; a bare name goes to the dynamic loader's search.
            if (candidate.Contains('/') && !File.Exists(candidate)) continue;
            if (NativeLibrary.TryLoad(candidate, out var handle)) return new LoadedLibrary(handle, candidate);
        }
        return null;
    }

    /// <summary>The address of <paramref name="symbol"/>, or a <see cref="EntryPointNotFoundException"/> naming the library.</summary>
    public static nint Export(LoadedLibrary library, string symbol) =>
        NativeLibrary.TryGetExport(library.Handle, symbol, out var address)
            ? address
            : throw new EntryPointNotFoundException($"{library.LoadedAs} has no function {symbol} (the library is too old for Pixelfly)");
}
