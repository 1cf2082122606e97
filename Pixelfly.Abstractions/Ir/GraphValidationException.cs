namespace Pixelfly.Ir;

/// <summary>A graph that breaks a typing or structural rule. The message names the node, operand and shapes.</summary>
public sealed class GraphValidationException(string message, Exception? inner = null) : Exception(message, inner);
