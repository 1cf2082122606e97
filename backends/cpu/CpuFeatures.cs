using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Pixelfly.Devices;

namespace Pixelfly.Backends.Cpu;

/// <summary>
/// The SIMD features the CPU kernels use, chosen once when a device opens. Vector512 is used when the hardware
/// accelerates it and the "cpu.avx512" feature is not disabled (PIXELFLY_DISABLE=cpu.avx512); otherwise the
/// Vector256 kernels run. The switch covers the backend's own kernels (matmul family, reductions, binary ops);
/// library routines it calls (TensorPrimitives, span copies) follow the runtime's setting, DOTNET_EnableAVX512F=0.
/// Element-wise fusion (one pass for a chain of element-wise nodes) is on unless "cpu.fusion" is disabled.
/// </summary>
public sealed record CpuFeatures(bool UseVector512, int ThreadCount)
{
    /// <summary>The feature key that switches the Vector512 kernels off.</summary>
    public const string Avx512FeatureKey = "cpu.avx512";

    /// <summary>The feature key that switches element-wise fusion off (every node then runs its own kernel).</summary>
    public const string FusionFeatureKey = "cpu.fusion";

    /// <summary>Whether chains of element-wise nodes are compiled into one fused kernel.</summary>
    public bool UseFusion { get; init; } = true;

    /// <summary>The features for these options on this machine, with one worker per logical processor.</summary>
    public static CpuFeatures Detect(DeviceOptions options, int? threadCount = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        int threads = threadCount ?? Environment.ProcessorCount;
        if (threads < 1)
            throw new ArgumentOutOfRangeException(nameof(threadCount), threadCount, "the cpu device needs at least one thread");
        return new(Vector512.IsHardwareAccelerated && !options.IsDisabled(Avx512FeatureKey), threads)
        {
            UseFusion = !options.IsDisabled(FusionFeatureKey),
        };
    }

    /// <summary>SIMD width of the matmul kernels in bits (512 or 256).</summary>
    public int SimdWidthBits => UseVector512 ? 512 : 256;

    /// <summary>The instruction-set extensions this process can use, comma-separated ("avx512f,avx2,fma").</summary>
    public static string InstructionSets()
    {
        var isa = new List<string>();
        if (Avx512F.IsSupported) isa.Add("avx512f");
        if (Avx512BW.IsSupported) isa.Add("avx512bw");
        if (Avx512DQ.IsSupported) isa.Add("avx512dq");
        if (Avx512Vbmi.IsSupported) isa.Add("avx512vbmi");
        if (Avx2.IsSupported) isa.Add("avx2");
        if (Fma.IsSupported) isa.Add("fma");
        if (Avx.IsSupported) isa.Add("avx");
        if (Sse42.IsSupported) isa.Add("sse4.2");
        if (AdvSimd.IsSupported) isa.Add("neon");
        return isa.Count == 0 ? "none" : string.Join(",", isa);
    }

    /// <summary>The processor's model name where the OS tells it, else the architecture.</summary>
    public static string ProcessorName()
    {
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                        return line[(colon + 1)..].Trim();
        }
        catch (IOException)
        {
            // Unreadable cpuinfo: fall back to the architecture below.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
        return $"{RuntimeInformation.ProcessArchitecture} processor";
    }
}
