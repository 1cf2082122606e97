namespace Pixelfly.Devices;

/// <summary>
/// All registered backends, and device selection: an explicit id ("cpu", "ref", "vulkan:1"), or "auto" (the
/// available device with the best probe score, else "cpu"). An explicit device that cannot open is an error
/// that says why; there is never a silent fallback.
/// </summary>
public static class BackendRegistry
{
    /// <summary>Environment variable naming the device when --device is not given.</summary>
    public const string DeviceEnvVar = "PIXELFLY_DEVICE";

    /// <summary>Environment variable listing hardware features to switch off (e.g. "cpu.avx512").</summary>
    public const string DisableEnvVar = "PIXELFLY_DISABLE";

    /// <summary>Environment variable listing opt-in features to switch on (e.g. "cuda.tf32"), off by default.</summary>
    public const string EnableEnvVar = "PIXELFLY_ENABLE";

    private static readonly object Gate = new();
    private static readonly List<IBackend> Registered = [];

    /// <summary>The registered backends, in registration order.</summary>
    public static IReadOnlyList<IBackend> Backends
    {
        get { lock (Gate) return Registered.ToArray(); }
    }

    /// <summary>Registers a backend; registering the same name twice is ignored if it is the same type.</summary>
    public static void Register(IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        lock (Gate)
        {
            var existing = Registered.FirstOrDefault(b => b.Name == backend.Name);
            if (existing is null) Registered.Add(backend);
            else if (existing.GetType() != backend.GetType())
                throw new InvalidOperationException($"a different backend named '{backend.Name}' is already registered ({existing.GetType().Name})");
        }
    }

    /// <summary>
    /// Chooses the device id: the explicit spec if given, else PIXELFLY_DEVICE, else "auto".
    /// </summary>
    public static string ResolveSpec(string? explicitSpec) =>
        !string.IsNullOrWhiteSpace(explicitSpec) ? explicitSpec.Trim()
        : Environment.GetEnvironmentVariable(DeviceEnvVar) is { Length: > 0 } env ? env.Trim()
        : "auto";

    /// <summary>Opens the device named by --device / PIXELFLY_DEVICE / auto; <paramref name="log"/> hears what auto chose.</summary>
    public static IDevice OpenDefault(string? explicitSpec = null, Action<string>? log = null) => Open(ResolveSpec(explicitSpec), log);

    /// <summary>Opens a device by id ("cpu", "cpu:0", "ref", "vulkan:1") or "auto".</summary>
    public static IDevice Open(string spec, Action<string>? log = null)
    {
        var (backend, device) = Find(spec, log);
        try
        {
            return backend.Open(device, DeviceOptions.FromEnvironment());
        }
        catch (DeviceUnavailableException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DeviceUnavailableException($"device '{device.Id}' failed to open: {e.Message}", e);
        }
    }

    /// <summary>Resolves an id to its backend and device description without opening it.</summary>
    public static (IBackend Backend, DeviceInfo Device) Find(string spec, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec = spec.Trim().ToLowerInvariant();
        if (spec == "auto") return ChooseAuto(log);

        string name = spec;
        int index = 0;
        int colon = spec.IndexOf(':');
        if (colon >= 0)
        {
            name = spec[..colon];
            if (!int.TryParse(spec[(colon + 1)..], out index) || index < 0)
                throw new DeviceUnavailableException($"'{spec}' is not a device id: the part after ':' must be a device index such as 0");
        }
        var backend = Backends.FirstOrDefault(b => b.Name == name)
            ?? throw new DeviceUnavailableException($"unknown device '{spec}'; known backends: {string.Join(", ", Backends.Select(b => b.Name))} (or 'auto'); `pixelfly devices` lists them");
        var probe = backend.Probe();
        if (!probe.IsAvailable)
            throw new DeviceUnavailableException($"device '{spec}' is not available: {probe.Reason}");
        var devices = backend.EnumerateDevices();
        if (index >= devices.Count)
            throw new DeviceUnavailableException($"device '{spec}' does not exist: backend '{name}' has {devices.Count} device(s) (indices 0..{devices.Count - 1})");
        return (backend, devices[index]);
    }

    private static (IBackend, DeviceInfo) ChooseAuto(Action<string>? log)
    {
        var candidates = Backends
            .Select(b => (Backend: b, Probe: b.Probe()))
            .Where(c => c.Probe.IsAvailable && c.Probe.Score > 0)
            .OrderByDescending(c => c.Probe.Score)
            .ToList();
        foreach (var (backend, _) in candidates)
        {
            var devices = backend.EnumerateDevices();
            if (devices.Count == 0) continue;
            var chosen = backend.PreferredDevice(devices);
            log?.Invoke($"auto: chose device '{chosen.Id}' ({chosen.Name}), the best available by probe score");
            return (backend, chosen);
        }
        var cpu = Backends.FirstOrDefault(b => b.Name == "cpu")
            ?? throw new DeviceUnavailableException("auto: no device is available and no 'cpu' backend is registered");
        var cpuDevices = cpu.EnumerateDevices();
        if (cpuDevices.Count == 0)
            throw new DeviceUnavailableException($"auto: no device is available (cpu: {cpu.Probe().Reason})");
        log?.Invoke($"auto: chose device '{cpuDevices[0].Id}' (no better device available)");
        return (cpu, cpuDevices[0]);
    }
}
