using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Ir;

// Convenience methods, one per op; each only builds the op record and calls Apply.
public sealed partial class GraphBuilder
{
    /// <summary>f(x) elementwise.</summary>
    public Value Unary(UnaryFunction f, Value x) => Apply1(new UnaryOp(f), x);

    /// <summary>f(a, b) elementwise with broadcasting.</summary>
    public Value Binary(BinaryFunction f, Value a, Value b) => Apply1(new BinaryOp(f), a, b);

    /// <summary>a + b.</summary>
    public Value Add(Value a, Value b) => Binary(BinaryFunction.Add, a, b);

    /// <summary>a − b.</summary>
    public Value Sub(Value a, Value b) => Binary(BinaryFunction.Sub, a, b);

    /// <summary>a · b.</summary>
    public Value Mul(Value a, Value b) => Binary(BinaryFunction.Mul, a, b);

    /// <summary>a / b.</summary>
    public Value Div(Value a, Value b) => Binary(BinaryFunction.Div, a, b);

    /// <summary>max(a, b).</summary>
    public Value Maximum(Value a, Value b) => Binary(BinaryFunction.Maximum, a, b);

    /// <summary>min(a, b).</summary>
    public Value Minimum(Value a, Value b) => Binary(BinaryFunction.Minimum, a, b);

    /// <summary>−x.</summary>
    public Value Neg(Value x) => Unary(UnaryFunction.Neg, x);

    /// <summary>eˣ.</summary>
    public Value Exp(Value x) => Unary(UnaryFunction.Exp, x);

    /// <summary>ln x.</summary>
    public Value Log(Value x) => Unary(UnaryFunction.Log, x);

    /// <summary>tanh x.</summary>
    public Value Tanh(Value x) => Unary(UnaryFunction.Tanh, x);

    /// <summary>σ(x).</summary>
    public Value Sigmoid(Value x) => Unary(UnaryFunction.Sigmoid, x);

    /// <summary>max(x, 0).</summary>
    public Value Relu(Value x) => Unary(UnaryFunction.Relu, x);

    /// <summary>GELU (tanh approximation).</summary>
    public Value Gelu(Value x) => Unary(UnaryFunction.Gelu, x);

    /// <summary>1/√x.</summary>
    public Value Rsqrt(Value x) => Unary(UnaryFunction.Rsqrt, x);

    /// <summary>√x.</summary>
    public Value Sqrt(Value x) => Unary(UnaryFunction.Sqrt, x);

    /// <summary>cond ≠ 0 ? a : b.</summary>
    public Value Where(Value cond, Value a, Value b) => Apply1(new WhereOp(), cond, a, b);

    /// <summary>Converts to another dtype.</summary>
    public Value Cast(Value x, DType to) => Apply1(new CastOp(to), x);

    /// <summary>A constant-filled tensor built by the device (no stored data).</summary>
    public Value Full(double value, DType dtype, params int[] dims) => Apply1(new FullOp(dims, value, dtype));

    /// <summary>A scalar of x's dtype.</summary>
    public Value Scalar(double value, DType dtype = DType.F32) => Full(value, dtype);

    /// <summary>Σ over axes.</summary>
    public Value ReduceSum(Value x, int[] axes, bool keepDims = false) => Apply1(new ReduceOp(ReduceKind.Sum, axes, keepDims), x);

    /// <summary>Mean over axes.</summary>
    public Value ReduceMean(Value x, int[] axes, bool keepDims = false) => Apply1(new ReduceOp(ReduceKind.Mean, axes, keepDims), x);

    /// <summary>Max over axes.</summary>
    public Value ReduceMax(Value x, int[] axes, bool keepDims = false) => Apply1(new ReduceOp(ReduceKind.Max, axes, keepDims), x);

    /// <summary>Softmax along an axis.</summary>
    public Value Softmax(Value x, int axis = -1) => Apply1(new SoftmaxOp(axis), x);

    /// <summary>Log-softmax along an axis.</summary>
    public Value LogSoftmax(Value x, int axis = -1) => Apply1(new LogSoftmaxOp(axis), x);

    /// <summary>Layer norm over the last axis.</summary>
    public Value LayerNorm(Value x, Value gamma, Value beta, double epsilon = 1e-5) => Apply1(new LayerNormOp(epsilon), x, gamma, beta);

    /// <summary>Per-row cross-entropy with integer labels.</summary>
    public Value CrossEntropy(Value logits, Value labels) => Apply1(new CrossEntropyOp(), logits, labels);

    /// <summary>One-hot encoding.</summary>
    public Value OneHot(Value indices, int depth, DType dtype = DType.F32) => Apply1(new OneHotOp(depth, dtype), indices);

    /// <summary>Reshape (one dim may be -1).</summary>
    public Value Reshape(Value x, params int[] shape) => Apply1(new ReshapeOp(shape), x);

    /// <summary>Permute axes.</summary>
    public Value Transpose(Value x, params int[] perm) => Apply1(new TransposeOp(perm), x);

    /// <summary>Slice every axis.</summary>
    public Value Slice(Value x, int[] begin, int[] end) => Apply1(new SliceOp(begin, end), x);

    /// <summary>Zero-pad every axis.</summary>
    public Value Pad(Value x, int[] begin, int[] end) => Apply1(new PadOp(begin, end), x);

    /// <summary>Concatenate along an axis.</summary>
    public Value Concat(int axis, params Value[] xs) => Apply(new ConcatOp(axis), xs)[0];

    /// <summary>Broadcast to a shape.</summary>
    public Value BroadcastTo(Value x, params int[] shape) => Apply1(new BroadcastToOp(shape), x);

    /// <summary>Row gather (embedding lookup).</summary>
    public Value Gather(Value table, Value indices) => Apply1(new GatherOp(), table, indices);

    /// <summary>Scatter-add rows into zeros.</summary>
    public Value ScatterAdd(Value indices, Value updates, int rows) => Apply1(new ScatterAddOp(rows), indices, updates);

    /// <summary>Dense matmul.</summary>
    public Value MatMul(Value a, Value b, bool transA = false, bool transB = false, DType? outputType = null) =>
        Apply1(new MatMulOp(transA, transB, outputType), a, b);

    /// <summary>Block-sparse matmul.</summary>
    public Value BlockSparseMatMul(SparseMode mode, BlockLayout layout, Value a, Value b, bool transA = false, bool transB = false, DType? outputType = null) =>
        Apply1(new BlockSparseMatMulOp(mode, layout, transA, transB, outputType), a, b);

    /// <summary>Block-sparse row softmax.</summary>
    public Value BlockSparseSoftmax(BlockLayout layout, Value x, double scale = 1.0) => Apply1(new BlockSparseSoftmaxOp(layout, scale), x);

    /// <summary>Fused AdamW; returns (param', m', v').</summary>
    public (Value Param, Value M, Value V) AdamW(Value param, Value grad, Value m, Value v, Value lr, Value step, AdamWOp settings)
    {
        var r = Apply(settings, [param, grad, m, v, lr, step]);
        return (r[0], r[1], r[2]);
    }
}
