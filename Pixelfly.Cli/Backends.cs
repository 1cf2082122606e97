using Pixelfly.Backends.Cpu;
using Pixelfly.Backends.Cuda;
using Pixelfly.Backends.Reference;
using Pixelfly.Backends.Vulkan;
using Pixelfly.Devices;

namespace Pixelfly.Cli;

/// <summary>The composition root's one job: tell the registry which backends this build ships.</summary>
internal static class Backends
{
    /// <summary>Registers every backend (idempotent, so in-process test runs can call it repeatedly).</summary>
    public static void RegisterAll()
    {
        BackendRegistry.Register(new CpuBackend());
        BackendRegistry.Register(new ReferenceBackend());
        BackendRegistry.Register(new VulkanBackend());
        BackendRegistry.Register(new CudaBackend());
    }
}
