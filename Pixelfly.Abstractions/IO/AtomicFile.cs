namespace Pixelfly.IO;

/// <summary>
/// Writes files all-or-nothing: content goes to a temp file in the same folder, is flushed to disk, then
/// renamed over the target. Readers see the old file or the new one, never a partial one; on failure the
/// temp file is deleted and the target is untouched.
/// </summary>
public static class AtomicFile
{
    /// <summary>Atomically replaces (or creates) <paramref name="path"/> with <paramref name="bytes"/>.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var (temp, stream) = CreateTemp(path);
        try
        {
            using (stream)
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception error)
        {
            DeleteAfterFailure(temp, error);
            throw;
        }
    }

    /// <summary>Atomically replaces (or creates) <paramref name="path"/> with <paramref name="text"/> as UTF-8 (no BOM).</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// Atomically replaces (or creates) <paramref name="path"/> with what <paramref name="writeContent"/> writes
    /// to the stream it is given; for content too large to build in memory first. If the callback throws, the
    /// target is untouched.
    /// </summary>
    public static void Write(string path, Action<Stream> writeContent)
    {
        ArgumentNullException.ThrowIfNull(writeContent);
        var (temp, stream) = CreateTemp(path);
        try
        {
            using (stream)
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception error)
        {
            DeleteAfterFailure(temp, error);
            throw;
        }
    }

    private static (string Temp, FileStream Stream) CreateTemp(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Same folder as the target so the final rename never crosses file systems.
        string temp = $"{Path.GetFullPath(path)}.tmp-{Guid.NewGuid():N}";
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        return (temp, stream);
    }

    private static void DeleteAfterFailure(string temp, Exception writeError)
    {
        try
        {
            // Guarded: File.Delete throws when the folder itself is gone, which would hide the real error.
            if (File.Exists(temp))
                File.Delete(temp);
        }
        catch (Exception deleteError) when (deleteError is IOException or UnauthorizedAccessException)
        {
            throw new IOException(
                $"writing failed ({writeError.Message}) and the temporary file '{temp}' could not be deleted",
                new AggregateException(writeError, deleteError));
        }
    }
}
