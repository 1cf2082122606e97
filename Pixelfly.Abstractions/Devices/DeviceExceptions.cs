namespace Pixelfly.Devices;

/// <summary>A device that cannot be opened: unknown id, missing driver or library (the message says how to fix it).</summary>
public sealed class DeviceUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A graph holding an op the device does not support.</summary>
public sealed class UnsupportedOpException(string message) : Exception(message);

/// <summary>Bindings passed to <see cref="IExecutable.Run"/> that do not match the graph.</summary>
public sealed class BindingException(string message) : Exception(message);

/// <summary>
/// A run that failed on its data, not on the graph: an index or label out of range, a step count below 1.
/// The message names the op and the offending value.
/// </summary>
public sealed class ExecutionException(string message, Exception? inner = null) : Exception(message, inner);
