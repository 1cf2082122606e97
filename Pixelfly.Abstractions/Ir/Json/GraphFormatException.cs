namespace Pixelfly.Ir.Json;

/// <summary>A graph file that cannot be read: malformed JSON, an unknown op, a future version, or an invalid graph.</summary>
public sealed class GraphFormatException(string message, Exception? inner = null) : Exception(message, inner);
