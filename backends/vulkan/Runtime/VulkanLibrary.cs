using System.Runtime.InteropServices;
using Silk.NET.Vulkan;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>Loads the Vulkan loader once; a missing library is a reason, never an exception.</summary>
internal static class VulkanLibrary
{
    /// <summary>The loader's file name on Linux.</summary>
    public const string LoaderName = "libvulkan.so.1";

    private static readonly Lazy<(Vk? Api, string? Reason)> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The API, or null with the reason it could not be loaded.</summary>
    public static (Vk? Api, string? Reason) Api => Loaded.Value;

    /// <summary>The API; throws <see cref="Devices.DeviceUnavailableException"/> with the reason when it is missing.</summary>
    public static Vk Require() => Api.Api ?? throw new Devices.DeviceUnavailableException(Api.Reason!);

    private static (Vk?, string?) Load()
    {
        // Probe first: Silk.NET throws FileNotFoundException deep inside GetApi when the loader is missing.
        if (!NativeLibrary.TryLoad(LoaderName, out var handle))
            return (null, $"{LoaderName} not found: install the Vulkan loader and a driver, e.g. apt-get install libvulkan1 mesa-vulkan-drivers");
        NativeLibrary.Free(handle);
        try
        {
            return (Vk.GetApi(), null);
        }
        catch (Exception e) when (e is DllNotFoundException or FileNotFoundException or EntryPointNotFoundException)
        {
            return (null, $"{LoaderName} could not be loaded ({e.Message}): reinstall the Vulkan loader, e.g. apt-get install --reinstall libvulkan1");
        }
    }
}
