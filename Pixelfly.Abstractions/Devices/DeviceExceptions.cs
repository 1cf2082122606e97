namespace Pixelfly.Devices;

/// <summary>A device that cannot be opened: unknown id, missing driver or library (the message says how to fix it).</summary>
public sealed class DeviceUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A graph holding an op the device does not support.</summary>
public sealed class UnsupportedOpException(string message) : Exception(message);

/// <summary>Bindings passed to <see cref="IExecutable.Run"/> that do not match the graph.</summary>
public sealed class BindingException(string message) : Exception(message);
