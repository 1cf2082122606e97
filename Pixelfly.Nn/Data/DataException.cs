namespace Pixelfly.Nn.Data;

/// <summary>A data set is missing, malformed or does not match what was expected; the message says what to do.</summary>
public sealed class DataException(string message) : Exception(message);
