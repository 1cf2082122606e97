namespace Pixelfly.Cli;

/// <summary>A failure caused by the user's input (files, values, devices): printed as one "error:" line, exit code 1.</summary>
public sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);
