using Silk.NET.Vulkan;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>Turns Vulkan result codes into exceptions that say which call failed.</summary>
internal static class VulkanResult
{
    /// <summary>Throws unless <paramref name="result"/> is Success.</summary>
    public static void Check(this Result result, string call)
    {
        if (result == Result.Success) return;
        if (result is Result.ErrorOutOfDeviceMemory or Result.ErrorOutOfHostMemory)
            throw new OutOfMemoryException($"{call} failed: {result}");
        if (result == Result.ErrorDeviceLost)
            throw new InvalidOperationException($"{call} failed: the Vulkan device was lost (a driver fault or a shader that ran too long)");
        throw new InvalidOperationException($"{call} failed: {result}");
    }
}
