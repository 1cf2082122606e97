namespace Pixelfly.Devices;

/// <summary>
/// A device as its backend reports it. Capabilities are data (keys such as "simd.width", "threads",
/// "fp16.storage"), shown by `pixelfly devices`.
/// </summary>
public sealed record DeviceInfo(
    string Id,
    string Backend,
    string Name,
    string Driver,
    long MemoryBytes,
    IReadOnlyDictionary<string, string> Capabilities);

/// <summary>Whether a backend can run here, why not, and how much it should be preferred by "auto" (0 = never).</summary>
public sealed record BackendProbe(bool IsAvailable, string? Reason, int Score)
{
    /// <summary>An available backend with a preference score.</summary>
    public static BackendProbe Available(int score) => new(true, null, score);

    /// <summary>An unavailable backend with the reason (what is missing and how to install it).</summary>
    public static BackendProbe Unavailable(string reason) => new(false, reason, 0);
}

/// <summary>Whether a device runs an op: yes, or no with a reason.</summary>
public readonly record struct Support(bool IsSupported, string? Reason)
{
    /// <summary>Supported.</summary>
    public static Support Yes => new(true, null);

    /// <summary>Not supported, with the reason.</summary>
    public static Support No(string reason) => new(false, reason);
}

/// <summary>Settings a device is opened with.</summary>
public sealed record DeviceOptions(IReadOnlySet<string> DisabledFeatures)
{
    /// <summary>No features disabled.</summary>
    public static DeviceOptions None { get; } = new(new HashSet<string>());

    /// <summary>
    /// Opt-in features that are off unless named (e.g. "cuda.tf32"); read from PIXELFLY_ENABLE by
    /// <see cref="FromEnvironment"/>. Empty by default.
    /// </summary>
    public IReadOnlySet<string> EnabledFeatures { get; init; } = new HashSet<string>();

    /// <summary>
    /// Reads PIXELFLY_DISABLE (comma-separated feature keys such as "cpu.avx512") and PIXELFLY_ENABLE (opt-in
    /// feature keys such as "cuda.tf32").
    /// </summary>
    public static DeviceOptions FromEnvironment() =>
        new(ReadKeys(BackendRegistry.DisableEnvVar)) { EnabledFeatures = ReadKeys(BackendRegistry.EnableEnvVar) };

    /// <summary>True when the feature key was switched off.</summary>
    public bool IsDisabled(string feature) => DisabledFeatures.Contains(feature);

    /// <summary>True when the opt-in feature key was switched on.</summary>
    public bool IsEnabled(string feature) => EnabledFeatures.Contains(feature);

    private static HashSet<string> ReadKeys(string variable) =>
        (Environment.GetEnvironmentVariable(variable) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
}
