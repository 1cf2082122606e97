using Silk.NET.Vulkan;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>
/// Cooperative-matrix (tensor core) support: the extensions a device offers and its shapes ("MxNxK:A,B->C" per
/// entry). The query entry points are loaded with vkGetInstanceProcAddr because Silk.NET's extension packages are
/// not available here.
/// </summary>
internal static unsafe class CooperativeMatrix
{
    public const string KhrExtension = "VK_KHR_cooperative_matrix";
    public const string NvExtension = "VK_NV_cooperative_matrix";

    /// <summary>
    /// The cooperative-matrix extensions a device offers, the one the shaders can use (they are written with
    /// GL_NV_cooperative_matrix, the one Debian's glslang compiles), and the shapes the device reports.
    /// </summary>
    public static (string[] Offered, string? Usable, string[] Shapes) Query(VulkanInstance instance, PhysicalDevice device, string[] extensions)
    {
        var offered = new[] { NvExtension, KhrExtension }.Where(extensions.Contains).ToArray();
        string? usable = offered.Contains(NvExtension) ? NvExtension : null;
        string[] shapes = usable is not null ? NvShapes(instance, device) : offered.Contains(KhrExtension) ? KhrShapes(instance, device) : [];
        return (offered, usable, shapes);
    }

    private static string[] KhrShapes(VulkanInstance instance, PhysicalDevice device)
    {
        var fn = (delegate* unmanaged[Cdecl]<PhysicalDevice, uint*, CooperativeMatrixPropertiesKHR*, Result>)
            (void*)instance.Vk.GetInstanceProcAddr(instance.Handle, "vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR").Handle;
        if (fn == null) return [];
        uint count = 0;
        fn(device, &count, null).Check("vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR");
        var props = new CooperativeMatrixPropertiesKHR[count];
        for (int i = 0; i < count; i++) props[i].SType = StructureType.CooperativeMatrixPropertiesKhr;
        fixed (CooperativeMatrixPropertiesKHR* p = props) fn(device, &count, p).Check("vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR");
        return props[..(int)count]
            .Where(q => q.Scope == ScopeKHR.SubgroupKhr)
            .Select(q => $"{q.MSize}x{q.NSize}x{q.KSize}:{Short(q.AType)},{Short(q.BType)}->{Short(q.ResultType)}")
            .Distinct().ToArray();
    }

    private static string[] NvShapes(VulkanInstance instance, PhysicalDevice device)
    {
        var fn = (delegate* unmanaged[Cdecl]<PhysicalDevice, uint*, CooperativeMatrixPropertiesNV*, Result>)
            (void*)instance.Vk.GetInstanceProcAddr(instance.Handle, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV").Handle;
        if (fn == null) return [];
        uint count = 0;
        fn(device, &count, null).Check("vkGetPhysicalDeviceCooperativeMatrixPropertiesNV");
        var props = new CooperativeMatrixPropertiesNV[count];
        for (int i = 0; i < count; i++) props[i].SType = StructureType.CooperativeMatrixPropertiesNV;
        fixed (CooperativeMatrixPropertiesNV* p = props) fn(device, &count, p).Check("vkGetPhysicalDeviceCooperativeMatrixPropertiesNV");
        return props[..(int)count]
            .Where(q => q.Scope == ScopeNV.SubgroupKhr)
            .Select(q => $"{q.MSize}x{q.NSize}x{q.KSize}:{Short((ComponentTypeKHR)q.AType)},{Short((ComponentTypeKHR)q.BType)}->{Short((ComponentTypeKHR)q.DType)}")
            .Distinct().ToArray();
    }

    private static string Short(ComponentTypeKHR t) => t switch
    {
        ComponentTypeKHR.Float16Khr => "f16",
        ComponentTypeKHR.Float32Khr => "f32",
        ComponentTypeKHR.Float64Khr => "f64",
        ComponentTypeKHR.Sint8Khr => "s8",
        ComponentTypeKHR.Uint8Khr => "u8",
        ComponentTypeKHR.Sint32Khr => "s32",
        ComponentTypeKHR.Uint32Khr => "u32",
        _ => ((int)t) == 1000141000 ? "bf16" : t.ToString(),
    };
}
