using Silk.NET.Core.Native;
using Silk.NET.Vulkan;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>
/// A VkInstance (Vulkan 1.2), optionally with the Khronos validation layer (core and synchronization validation)
/// and a message collector.
/// </summary>
internal sealed unsafe class VulkanInstance : IDisposable
{
    /// <summary>The layer's extension that turns on synchronization validation.</summary>
    private const string ValidationFeaturesExtension = "VK_EXT_validation_features";

    private VulkanInstance(Vk vk, Instance handle, ValidationMessenger? messenger)
    {
        Vk = vk;
        Handle = handle;
        Messenger = messenger;
    }

    /// <summary>The API entry points.</summary>
    public Vk Vk { get; }

    /// <summary>The instance.</summary>
    public Instance Handle { get; }

    /// <summary>The validation message collector, when validation is on.</summary>
    public ValidationMessenger? Messenger { get; }

    /// <summary>
    /// Creates an instance (<paramref name="echo"/>: also print validation messages to standard error); throws <see cref="Devices.DeviceUnavailableException"/> naming the package to install when
    /// the loader, a driver or (with <paramref name="validation"/>) the validation layer is missing.
    /// </summary>
    public static VulkanInstance Create(bool validation, bool echo = false)
    {
        var vk = VulkanLibrary.Require();
        if (validation && !HasLayer(vk, ValidationMessenger.LayerName))
            throw new Devices.DeviceUnavailableException(
                $"Vulkan validation was requested but the layer {ValidationMessenger.LayerName} is not installed: apt-get install vulkan-validationlayers");
        var appName = SilkMarshal.StringToPtr("pixelfly");
        var layers = validation ? SilkMarshal.StringArrayToPtr([ValidationMessenger.LayerName]) : 0;
        var extensions = validation ? SilkMarshal.StringArrayToPtr([ValidationMessenger.ExtensionName, ValidationFeaturesExtension]) : 0;
        try
        {
            var app = new ApplicationInfo
            {
                SType = StructureType.ApplicationInfo,
                PApplicationName = (byte*)appName,
                PEngineName = (byte*)appName,
                ApiVersion = Vk.Version12,
            };
            // Synchronization validation too: a missing barrier is a hazard report, not a silent race.
            var enable = ValidationFeatureEnableEXT.SynchronizationValidationExt;
            var features = new ValidationFeaturesEXT
            {
                SType = StructureType.ValidationFeaturesExt,
                EnabledValidationFeatureCount = 1,
                PEnabledValidationFeatures = &enable,
            };
            var info = new InstanceCreateInfo
            {
                SType = StructureType.InstanceCreateInfo,
                PNext = validation ? &features : null,
                PApplicationInfo = &app,
                EnabledLayerCount = validation ? 1u : 0u,
                PpEnabledLayerNames = (byte**)layers,
                EnabledExtensionCount = validation ? 2u : 0u,
                PpEnabledExtensionNames = (byte**)extensions,
            };
            Instance instance;
            var result = vk.CreateInstance(&info, null, &instance);
            if (result == Result.ErrorIncompatibleDriver)
                throw new Devices.DeviceUnavailableException(
                    "the Vulkan loader found no driver (vkCreateInstance: ErrorIncompatibleDriver): install a Vulkan driver, e.g. apt-get install mesa-vulkan-drivers, or your GPU vendor's driver");
            if (result == Result.ErrorLayerNotPresent)
                throw new Devices.DeviceUnavailableException($"the Vulkan layer {ValidationMessenger.LayerName} failed to load: apt-get install vulkan-validationlayers");
            if (result != Result.Success)
                throw new Devices.DeviceUnavailableException($"vkCreateInstance failed: {result}");
            ValidationMessenger? messenger = null;
            try
            {
                if (validation) messenger = ValidationMessenger.Create(vk, instance, echo);
            }
            catch
            {
                vk.DestroyInstance(instance, null);
                throw;
            }
            return new VulkanInstance(vk, instance, messenger);
        }
        finally
        {
            SilkMarshal.Free(appName);
            if (layers != 0) SilkMarshal.Free(layers);
            if (extensions != 0) SilkMarshal.Free(extensions);
        }
    }

    /// <summary>The physical devices in the loader's order.</summary>
    public PhysicalDevice[] PhysicalDevices()
    {
        uint count = 0;
        Vk.EnumeratePhysicalDevices(Handle, &count, null).Check("vkEnumeratePhysicalDevices");
        var devices = new PhysicalDevice[count];
        fixed (PhysicalDevice* p = devices)
            Vk.EnumeratePhysicalDevices(Handle, &count, p).Check("vkEnumeratePhysicalDevices");
        return devices[..(int)count];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Messenger?.Dispose();
        Vk.DestroyInstance(Handle, null);
    }

    private static bool HasLayer(Vk vk, string name)
    {
        uint count = 0;
        vk.EnumerateInstanceLayerProperties(&count, null).Check("vkEnumerateInstanceLayerProperties");
        var layers = new LayerProperties[count];
        fixed (LayerProperties* p = layers)
            vk.EnumerateInstanceLayerProperties(&count, p).Check("vkEnumerateInstanceLayerProperties");
        foreach (var l in layers[..(int)count])
            if (SilkMarshal.PtrToString((nint)l.LayerName) == name) return true;
        return false;
    }
}
