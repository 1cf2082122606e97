namespace Pixelfly.Conformance;

/// <summary>A corpus file that cannot be read: the message names the file, the line and what is wrong.</summary>
public sealed class CorpusFormatException(string message, Exception? inner = null) : Exception(message, inner);
