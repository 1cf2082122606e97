namespace Pixelfly.Perf;

/// <summary>A perf case file or a bench result file is malformed or does not fit its schema; the message says where.</summary>
public sealed class BenchFormatException(string message, Exception? inner = null) : Exception(message, inner);
