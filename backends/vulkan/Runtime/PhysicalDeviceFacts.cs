using System.Globalization;
using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Devices;
using Silk.NET.Core.Native;
using Silk.NET.Vulkan;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>What one physical device offers, queried once: names, limits, features, memory and queues.</summary>
internal sealed unsafe record PhysicalDeviceFacts
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required PhysicalDeviceType Type { get; init; }
    public required uint ApiVersion { get; init; }
    public required string Driver { get; init; }
    public required uint SubgroupSize { get; init; }
    public required uint MaxSharedMemoryBytes { get; init; }
    public required uint MaxStorageBufferRange { get; init; }
    public required uint MaxWorkgroupInvocations { get; init; }
    public required uint[] MaxGroupCount { get; init; }
    public required ulong MinStorageBufferOffsetAlignment { get; init; }
    public required float TimestampPeriod { get; init; }
    public required bool Fp16Arithmetic { get; init; }
    public required bool Storage16Bit { get; init; }
    public required bool ShaderInt64 { get; init; }
    public required bool VulkanMemoryModel { get; init; }
    public required bool VulkanMemoryModelDeviceScope { get; init; }
    public required string[] Extensions { get; init; }
    public required string[] CooperativeMatrixShapes { get; init; }
    /// <summary>The cooperative-matrix extension the shaders can use (NV), or null.</summary>
    public required string? CooperativeMatrixExtension { get; init; }

    /// <summary>Every cooperative-matrix extension the device offers.</summary>
    public required string[] CooperativeMatrixOffered { get; init; }
    public required long DeviceLocalBytes { get; init; }
    public required int ComputeQueueFamily { get; init; }
    public required uint TimestampValidBits { get; init; }

    /// <summary>The device id, "vulkan:N".</summary>
    public string Id => $"{VulkanBackend.BackendName}:{Index}";

    /// <summary>True for CPU implementations such as lavapipe (correctness targets, never preferred to the cpu backend).</summary>
    public bool IsCpu => Type == PhysicalDeviceType.Cpu;

    /// <summary>API version as "major.minor.patch".</summary>
    public string ApiVersionText => $"{ApiVersion >> 22 & 0x7F}.{ApiVersion >> 12 & 0x3FF}.{ApiVersion & 0xFFF}";

    /// <summary>Queries a physical device.</summary>
    public static PhysicalDeviceFacts Query(VulkanInstance instance, PhysicalDevice device, int index)
    {
        var vk = instance.Vk;
        PhysicalDeviceProperties basic;
        vk.GetPhysicalDeviceProperties(device, &basic);
        var extensions = DeviceExtensions(vk, device);
        bool v11 = basic.ApiVersion >= Vk.Version11, v12 = basic.ApiVersion >= Vk.Version12;

        var subgroup = new PhysicalDeviceSubgroupProperties { SType = StructureType.PhysicalDeviceSubgroupProperties };
        var driver = new PhysicalDeviceDriverProperties { SType = StructureType.PhysicalDeviceDriverProperties };
        if (v12) subgroup.PNext = &driver;
        var props2 = new PhysicalDeviceProperties2 { SType = StructureType.PhysicalDeviceProperties2, PNext = v11 ? &subgroup : null };
        vk.GetPhysicalDeviceProperties2(device, &props2);

        // The cooperative-matrix shaders use the Vulkan memory model (GL_KHR_memory_scope_semantics).
        var memoryModel = new PhysicalDeviceVulkanMemoryModelFeatures { SType = StructureType.PhysicalDeviceVulkanMemoryModelFeatures };
        var f16 = new PhysicalDeviceShaderFloat16Int8Features { SType = StructureType.PhysicalDeviceShaderFloat16Int8Features, PNext = v12 ? &memoryModel : null };
        var s16 = new PhysicalDevice16BitStorageFeatures { SType = StructureType.PhysicalDevice16BitStorageFeatures, PNext = v12 ? &f16 : null };
        var features2 = new PhysicalDeviceFeatures2 { SType = StructureType.PhysicalDeviceFeatures2, PNext = v11 ? &s16 : null };
        vk.GetPhysicalDeviceFeatures2(device, &features2);

        PhysicalDeviceMemoryProperties memory;
        vk.GetPhysicalDeviceMemoryProperties(device, &memory);
        long deviceLocal = 0;
        for (int h = 0; h < memory.MemoryHeapCount; h++)
            if (memory.MemoryHeaps[h].Flags.HasFlag(MemoryHeapFlags.DeviceLocalBit))
                deviceLocal = Math.Max(deviceLocal, (long)memory.MemoryHeaps[h].Size);

        uint familyCount = 0;
        vk.GetPhysicalDeviceQueueFamilyProperties(device, &familyCount, null);
        var families = new QueueFamilyProperties[familyCount];
        fixed (QueueFamilyProperties* p = families) vk.GetPhysicalDeviceQueueFamilyProperties(device, &familyCount, p);
        // Prefer a compute queue without graphics (an async compute family on GPUs), else any with compute.
        int family = Array.FindIndex(families, f => f.QueueFlags.HasFlag(QueueFlags.ComputeBit) && !f.QueueFlags.HasFlag(QueueFlags.GraphicsBit));
        if (family < 0) family = Array.FindIndex(families, f => f.QueueFlags.HasFlag(QueueFlags.ComputeBit));

        var (coopOffered, coopExtension, coopShapes) = CooperativeMatrix.Query(instance, device, extensions);
        string driverText = v12
            ? $"{SilkMarshal.PtrToString((nint)driver.DriverName)} {SilkMarshal.PtrToString((nint)driver.DriverInfo)}".Trim()
            : $"driver version 0x{basic.DriverVersion:x}";
        var limits = basic.Limits;
        return new PhysicalDeviceFacts
        {
            Index = index,
            Name = SilkMarshal.PtrToString((nint)basic.DeviceName) ?? $"Vulkan device {index}",
            Type = basic.DeviceType,
            ApiVersion = basic.ApiVersion,
            Driver = driverText,
            SubgroupSize = v11 ? subgroup.SubgroupSize : 1,
            MaxSharedMemoryBytes = limits.MaxComputeSharedMemorySize,
            MaxStorageBufferRange = limits.MaxStorageBufferRange,
            MaxWorkgroupInvocations = limits.MaxComputeWorkGroupInvocations,
            MaxGroupCount = [limits.MaxComputeWorkGroupCount[0], limits.MaxComputeWorkGroupCount[1], limits.MaxComputeWorkGroupCount[2]],
            MinStorageBufferOffsetAlignment = limits.MinStorageBufferOffsetAlignment,
            TimestampPeriod = limits.TimestampPeriod,
            Fp16Arithmetic = v12 && f16.ShaderFloat16,
            Storage16Bit = v11 && s16.StorageBuffer16BitAccess,
            ShaderInt64 = features2.Features.ShaderInt64,
            VulkanMemoryModel = v12 && memoryModel.VulkanMemoryModel,
            VulkanMemoryModelDeviceScope = v12 && memoryModel.VulkanMemoryModelDeviceScope,
            Extensions = extensions,
            CooperativeMatrixExtension = coopExtension,
            CooperativeMatrixOffered = coopOffered,
            CooperativeMatrixShapes = coopShapes,
            DeviceLocalBytes = deviceLocal,
            ComputeQueueFamily = family,
            TimestampValidBits = family >= 0 ? families[family].TimestampValidBits : 0,
        };
    }

    /// <summary>The device as the registry shows it; <paramref name="options"/> decides which features are switched off.</summary>
    public DeviceInfo Describe(DeviceOptions options)
    {
        string F(long v) => v.ToString(CultureInfo.InvariantCulture);
        bool coop = CooperativeMatrixExtension is not null && !options.IsDisabled(VulkanFeatures.CooperativeMatrix);
        var caps = new Dictionary<string, string>
        {
            ["api.version"] = ApiVersionText,
            ["device.type"] = Type switch
            {
                PhysicalDeviceType.DiscreteGpu => "discrete-gpu",
                PhysicalDeviceType.IntegratedGpu => "integrated-gpu",
                PhysicalDeviceType.VirtualGpu => "virtual-gpu",
                PhysicalDeviceType.Cpu => "cpu",
                _ => "other",
            },
            ["subgroup.size"] = F(SubgroupSize),
            ["shared.memory.bytes"] = F(MaxSharedMemoryBytes),
            ["max.storage.buffer.range"] = F(MaxStorageBufferRange),
            ["max.workgroup.invocations"] = F(MaxWorkgroupInvocations),
            ["max.group.count"] = string.Join("x", MaxGroupCount),
            ["fp16.arithmetic"] = Fp16Arithmetic ? "yes" : "no",
            ["storage.16bit"] = Storage16Bit ? "yes" : "no",
            ["coopmat"] = CooperativeMatrixExtension is null
                ? CooperativeMatrixOffered.Length == 0 ? "no" : $"no ({string.Join(", ", CooperativeMatrixOffered)} offered; the shaders use {CooperativeMatrix.NvExtension})"
                : coop ? CooperativeMatrixExtension : $"{CooperativeMatrixExtension} (disabled)",
            ["timestamp.period"] = TimestampValidBits == 0 ? "none" : TimestampPeriod.ToString("0.###", CultureInfo.InvariantCulture) + " ns",
        };
        if (CooperativeMatrixShapes.Length > 0) caps["coopmat.shapes"] = string.Join(" ", CooperativeMatrixShapes);
        if (CooperativeMatrixOffered.Length > 0) caps["coopmat.extensions"] = string.Join(",", CooperativeMatrixOffered);
        var disabled = options.DisabledFeatures.Where(f => f.StartsWith("vulkan.", StringComparison.OrdinalIgnoreCase)).Order().ToArray();
        if (disabled.Length > 0) caps["disabled"] = string.Join(",", disabled);
        return new DeviceInfo(Id, VulkanBackend.BackendName, Name, Driver, DeviceLocalBytes, caps);
    }

    /// <summary>The limits lowering may use.</summary>
    public LoweringLimits Limits(DeviceOptions options) => new(
        SubgroupSize,
        MaxSharedMemoryBytes,
        MaxWorkgroupInvocations,
        MaxGroupCount,
        MaxStorageBufferRange,
        CooperativeMatrixExtension is not null && !options.IsDisabled(VulkanFeatures.CooperativeMatrix));

    private static string[] DeviceExtensions(Vk vk, PhysicalDevice device)
    {
        uint count = 0;
        vk.EnumerateDeviceExtensionProperties(device, (byte*)null, &count, null).Check("vkEnumerateDeviceExtensionProperties");
        var props = new ExtensionProperties[count];
        fixed (ExtensionProperties* p = props)
            vk.EnumerateDeviceExtensionProperties(device, (byte*)null, &count, p).Check("vkEnumerateDeviceExtensionProperties");
        return props[..(int)count].Select(e => SilkMarshal.PtrToString((nint)e.ExtensionName) ?? "").ToArray();
    }
}
