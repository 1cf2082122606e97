using Pixelfly.Tensors;

namespace Pixelfly.Ir.Ops;

/// <summary>
/// Fused AdamW update (decoupled weight decay, as PyTorch's AdamW). Inputs: param, grad, m, v (one float type),
/// lr and step (f32 scalars, so one compiled graph serves a schedule). Outputs: param', m', v' where
/// p ← p − lr·wd·p; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε).
/// </summary>
public sealed record AdamWOp(double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8, double WeightDecay = 0.01) : Op
{
    /// <inheritdoc/>
    public override string Name => "adamw";

    /// <inheritdoc/>
    public override int? Arity => 6;

    /// <inheritdoc/>
    public override bool IsDifferentiable => false;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 6, Name);
        TypeRules.Float(inputs, 0);
        for (int i = 1; i < 4; i++) TypeRules.SameType(inputs, 0, i);
        for (int i = 4; i < 6; i++)
            if (inputs[i] != new TensorType(DType.F32, Shape.Scalar))
                throw new OpTypeException(i, $"{(i == 4 ? "lr" : "step")} must be an f32 scalar, got {inputs[i]}");
        if (!(Beta1 is >= 0 and < 1) || !(Beta2 is >= 0 and < 1) || !(Epsilon > 0) || !(WeightDecay >= 0))
            throw new OpTypeException(-1, $"invalid AdamW settings beta1={Beta1} beta2={Beta2} eps={Epsilon} wd={WeightDecay}");
        return [inputs[0], inputs[0], inputs[0]];
    }
}
