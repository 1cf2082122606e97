using Pixelfly.Tensors;

namespace Pixelfly.IO;

/// <summary>The contents of a safetensors file: tensors ordered by name and the free-form string metadata.</summary>
/// <param name="Tensors">Tensors by name, enumerated in ordinal name order.</param>
/// <param name="Metadata">The "__metadata__" map; empty when the file has none.</param>
public sealed record SafetensorsFile(
    IReadOnlyDictionary<string, HostTensor> Tensors,
    IReadOnlyDictionary<string, string> Metadata);
