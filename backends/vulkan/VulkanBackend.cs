using Pixelfly.Backends.Vulkan.Runtime;
using Pixelfly.Devices;

namespace Pixelfly.Backends.Vulkan;

/// <summary>
/// The Vulkan compute backend: devices "vulkan:0", "vulkan:1", ... in the loader's order. Register it with
/// <c>BackendRegistry.Register(new VulkanBackend())</c>. Validation (the Khronos layer, messages collected per
/// device) is on when constructed with <c>validation: true</c> or when PIXELFLY_VULKAN_VALIDATION=1.
/// </summary>
public sealed class VulkanBackend : IBackend
{
    /// <summary>The backend name and device id prefix.</summary>
    public const string BackendName = "vulkan";

    // CPU implementations (lavapipe) must never win "auto" over the cpu backend (score 10); GPUs should.
    private const int GpuScore = 20;
    private const int CpuDeviceScore = 5;

    /// <summary>A backend whose devices use validation when PIXELFLY_VULKAN_VALIDATION=1.</summary>
    /// <remarks>Validation messages are then also printed to standard error as they arrive.</remarks>
    public VulkanBackend() : this(Environment.GetEnvironmentVariable(VulkanFeatures.ValidationEnvVar) == "1") => _echo = Validation;

    /// <summary>A backend whose devices enable the Khronos validation layer when <paramref name="validation"/> is true.</summary>
    public VulkanBackend(bool validation)
    {
        Validation = validation;
        _devices = new Lazy<(List<PhysicalDeviceFacts>?, string?)>(Enumerate);
    }

    private readonly bool _echo;

    // The loader is asked once per backend object: devices do not come and go while a process runs.
    private readonly Lazy<(List<PhysicalDeviceFacts>? Facts, string? Reason)> _devices;

    /// <summary>Whether opened devices run with the Khronos validation layer.</summary>
    public bool Validation { get; }

    /// <inheritdoc/>
    public string Name => BackendName;

    /// <inheritdoc/>
    public string Description => "Vulkan compute shaders (SPIR-V from GLSL) on any Vulkan 1.2 device, in f32";

    /// <inheritdoc/>
    public BackendProbe Probe()
    {
        var (facts, reason) = _devices.Value;
        if (facts is null) return BackendProbe.Unavailable(reason!);
        if (facts.Count == 0)
            return BackendProbe.Unavailable("the Vulkan loader reports no devices: install a driver, e.g. apt-get install mesa-vulkan-drivers, or your GPU vendor's driver");
        // "auto" opens PreferredDevice: a GPU when there is one, so the score follows whether there is.
        return BackendProbe.Available(facts.All(f => f.IsCpu) ? CpuDeviceScore : GpuScore);
    }

    /// <summary>"auto" prefers a GPU (discrete, then integrated, then virtual) to a CPU driver such as lavapipe, keeping loader order within a kind.</summary>
    public DeviceInfo PreferredDevice(IReadOnlyList<DeviceInfo> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        static int Rank(DeviceInfo d) => (d.Capabilities.TryGetValue("device.type", out var t) ? t : "") switch
        {
            "discrete-gpu" => 0,
            "integrated-gpu" => 1,
            "virtual-gpu" => 2,
            "cpu" => 4,
            _ => 3,
        };
        return devices.OrderBy(Rank).First();
    }

    /// <inheritdoc/>
    public IReadOnlyList<DeviceInfo> EnumerateDevices()
    {
        var options = DeviceOptions.FromEnvironment();
        return _devices.Value.Facts?.Select(f => f.Describe(options)).ToArray() ?? [];
    }

    /// <inheritdoc/>
    public IDevice Open(DeviceInfo device, DeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (device.Backend != BackendName || !device.Id.StartsWith(BackendName + ":", StringComparison.Ordinal)
            || !int.TryParse(device.Id.AsSpan(BackendName.Length + 1), out int index))
            throw new DeviceUnavailableException($"the vulkan backend opens devices 'vulkan:N'; it cannot open '{device.Id}' (backend '{device.Backend}')");
        return new VulkanDevice(index, options, Validation, echoValidation: _echo);
    }

    /// <summary>Opens vulkan:<paramref name="index"/> with the environment's options.</summary>
    public VulkanDevice Open(int index = 0) => new(index, DeviceOptions.FromEnvironment(), Validation, echoValidation: _echo);

    // Never throws: a missing loader or driver, or a failing query, is the reason the backend is unavailable.
    private static (List<PhysicalDeviceFacts>?, string?) Enumerate()
    {
        var (api, reason) = VulkanLibrary.Api;
        if (api is null) return (null, reason);
        try
        {
            using var instance = VulkanInstance.Create(validation: false);
            return (instance.PhysicalDevices().Select((p, i) => PhysicalDeviceFacts.Query(instance, p, i)).ToList(), null);
        }
        catch (DeviceUnavailableException e)
        {
            return (null, e.Message);
        }
        catch (Exception e)
        {
            // Probe() promises never to throw: any other failure of the driver query becomes the reason.
            return (null, $"the Vulkan device query failed: {e.GetType().Name}: {e.Message}");
        }
    }
}
