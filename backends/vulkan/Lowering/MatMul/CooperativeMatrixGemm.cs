using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Lowering.MatMul;

/// <summary>
/// The tensor-core GEMM (Shaders/gemm_coopmat.comp, VK_NV_cooperative_matrix) for f16 operands. It has not run on
/// hardware yet, so it is off unless <see cref="OptInEnvVar"/> is "1" and the device offers cooperative matrices
/// (<see cref="LoweringLimits.CooperativeMatrix"/>, which PIXELFLY_DISABLE=vulkan.coopmat clears).
/// </summary>
internal static class CooperativeMatrixGemm
{
    /// <summary>Set to "1" to try the untested cooperative-matrix GEMM on a device that offers it.</summary>
    public const string OptInEnvVar = "PIXELFLY_VULKAN_COOPMAT";

    /// <summary>The shader's output tile (4 subgroups of 32 x 32).</summary>
    public const uint Tile = 64;

    /// <summary>Whether the user opted in (read once per lowering call; the switch is for experiments only).</summary>
    public static bool OptedIn => Environment.GetEnvironmentVariable(OptInEnvVar) == "1";

    /// <summary>
    /// True when the tensor-core path applies: opted in, offered by the device, and f16 operands (their f32 words
    /// narrow to f16 exactly; f32 and bf16 operands would lose bits, the NV extension has no tf32 or bf16 inputs).
    /// </summary>
    public static bool Applies(bool optedIn, LoweringLimits limits, DType operands) =>
        optedIn && limits.CooperativeMatrix && operands == DType.F16 && 4 * limits.SubgroupSize <= limits.MaxWorkgroupInvocations;

    /// <summary>Specialization constants: 0 = workgroup of 4 subgroups, 8/9 = the transposes.</summary>
    public static uint[] Specialization(LoweringLimits limits, bool transA, bool transB) =>
        [4 * limits.SubgroupSize, 1, 1, 0, 0, 0, 0, 0, transA ? 1u : 0u, transB ? 1u : 0u];
}
