using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Ir.Ops;

/// <summary>
/// Row softmax of Scale·x over the stored blocks of a block-sparse matrix (attention scores): each element row of
/// each block row is normalised across all of that block row's stored blocks. Input and output [..., nnz, b, b].
/// </summary>
public sealed record BlockSparseSoftmaxOp(BlockLayout Layout, double Scale = 1.0) : Op
{
    /// <inheritdoc/>
    public override string Name => "block_sparse_softmax";

    /// <inheritdoc/>
    public override int? Arity => 1;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 1, Name);
        TypeRules.Float(inputs, 0);
        CheckSparse(Layout, inputs, 0);
        return [inputs[0]];
    }

    internal static void CheckSparse(BlockLayout layout, IReadOnlyList<TensorType> inputs, int operand)
    {
        var s = inputs[operand].Shape;
        int b = layout.BlockSize;
        if (s.Rank < 3 || s[-3] != layout.NnzBlocks || s[-2] != b || s[-1] != b)
            throw new OpTypeException(operand, $"expected [..., {layout.NnzBlocks}, {b}, {b}] for {layout}, got {inputs[operand]}");
    }
}

/// <summary>Backward of <see cref="BlockSparseSoftmaxOp"/>: (y, dy) → Scale·y·(dy − Σ_row dy·y). Not differentiable.</summary>
public sealed record BlockSparseSoftmaxGradOp(BlockLayout Layout, double Scale = 1.0) : Op
{
    /// <inheritdoc/>
    public override string Name => "block_sparse_softmax_grad";

    /// <inheritdoc/>
    public override int? Arity => 2;

    /// <inheritdoc/>
    public override bool IsDifferentiable => false;

    /// <inheritdoc/>
    public override TensorType[] InferTypes(IReadOnlyList<TensorType> inputs)
    {
        TypeRules.Arity(inputs, 2, Name);
        TypeRules.Float(inputs, 0);
        BlockSparseSoftmaxOp.CheckSparse(Layout, inputs, 0);
        TypeRules.SameType(inputs, 0, 1);
        return [inputs[0]];
    }
}
