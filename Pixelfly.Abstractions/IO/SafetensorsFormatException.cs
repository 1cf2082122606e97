namespace Pixelfly.IO;

/// <summary>A safetensors file (or buffer) breaks the format; the message says which rule and where.</summary>
public sealed class SafetensorsFormatException : Exception
{
    /// <summary>Creates the exception; the message is prefixed with the source so logs name the file.</summary>
    public SafetensorsFormatException(string path, string detail, Exception? innerException = null)
        : base($"{path}: {detail}", innerException)
    {
        Path = path;
        Detail = detail;
    }

    /// <summary>The file path, or the source name given for an in-memory buffer.</summary>
    public string Path { get; }

    /// <summary>The broken rule, without the path prefix.</summary>
    public string Detail { get; }
}
