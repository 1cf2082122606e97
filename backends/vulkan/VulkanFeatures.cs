namespace Pixelfly.Backends.Vulkan;

/// <summary>The Vulkan backend's feature switches, turned off with PIXELFLY_DISABLE (comma-separated).</summary>
public static class VulkanFeatures
{
    /// <summary>Cooperative matrices (tensor cores) for the matmul family.</summary>
    public const string CooperativeMatrix = "vulkan.coopmat";

    /// <summary>The environment variable that turns on the Khronos validation layer ("1").</summary>
    public const string ValidationEnvVar = "PIXELFLY_VULKAN_VALIDATION";
}
