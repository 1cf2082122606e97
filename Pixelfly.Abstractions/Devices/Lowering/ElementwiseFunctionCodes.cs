using Pixelfly.Ir.Ops;

namespace Pixelfly.Devices.Lowering;

/// <summary>
/// The function codes the GPU elementwise kernels switch on (PF_NEG … in the CUDA backend's Kernels/elementwise.cu,
/// the constants in the Vulkan backend's Shaders/elementwise.comp): one numbering, so both kernel sources agree.
/// </summary>
public static class ElementwiseFunctionCodes
{
    /// <summary>The code of a unary function (0 …).</summary>
    public static int Of(UnaryFunction f) => f switch
    {
        UnaryFunction.Neg => 0,
        UnaryFunction.Exp => 1,
        UnaryFunction.Log => 2,
        UnaryFunction.Tanh => 3,
        UnaryFunction.Sigmoid => 4,
        UnaryFunction.Relu => 5,
        UnaryFunction.Gelu => 6,
        UnaryFunction.Rsqrt => 7,
        UnaryFunction.Sqrt => 8,
        _ => throw new NotSupportedException($"the GPU elementwise kernels have no code for unary function {f}"),
    };

    /// <summary>The code of a binary function (10 …).</summary>
    public static int Of(BinaryFunction f) => f switch
    {
        BinaryFunction.Add => 10,
        BinaryFunction.Sub => 11,
        BinaryFunction.Mul => 12,
        BinaryFunction.Div => 13,
        BinaryFunction.Maximum => 14,
        BinaryFunction.Minimum => 15,
        BinaryFunction.Greater => 16,
        BinaryFunction.Equal => 17,
        BinaryFunction.GeluGrad => 18,
        _ => throw new NotSupportedException($"the GPU elementwise kernels have no code for binary function {f}"),
    };
}
