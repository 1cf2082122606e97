using Pixelfly.Autodiff;
using Pixelfly.Conformance;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Cases;

/// <summary>
/// Builders of the programs perf cases time: the three matmuls of a block-sparse linear layer (forward, dX, dW), a
/// dense GEMM, a whole Pixelfly linear layer and a training step of a two-layer Pixelfly MLP. Input data is uniform
/// in [-1, 1) (weights smaller), seeded per case and input exactly as the conformance generator does.
/// </summary>
public static class PerfGraphs
{
    private const DType F = DType.F32;

    // The four matmul programs take the storage dtype of their operands (default f32; the GPU suites use bf16): the
    // result has the same dtype, products accumulate in f32 (MatMulOp, BlockSparseMatMulOp).

    /// <summary>Forward Y[T,out] = X[T,in]·Wᵀ with W (out×in) stored under <paramref name="layout"/> (Dds, transB).</summary>
    public static PerfProgram SparseForward(string id, int tokens, BlockLayout layout, DType dtype = F)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", dtype, tokens, layout.Cols);
        var w = b.Parameter("w", dtype, layout.NnzBlocks, layout.BlockSize, layout.BlockSize);
        b.Output("y", b.BlockSparseMatMul(SparseMode.Dds, layout, x, w, transB: true));
        return new(b.Build(), [Uniform(id, "x", 1), Uniform(id, "w", 0.1)]);
    }

    /// <summary>Input gradient dX[T,in] = dY[T,out]·W (Dds).</summary>
    public static PerfProgram SparseInputGradient(string id, int tokens, BlockLayout layout, DType dtype = F)
    {
        var b = new GraphBuilder();
        var dy = b.Input("dy", dtype, tokens, layout.Rows);
        var w = b.Parameter("w", dtype, layout.NnzBlocks, layout.BlockSize, layout.BlockSize);
        b.Output("dx", b.BlockSparseMatMul(SparseMode.Dds, layout, dy, w));
        return new(b.Build(), [Uniform(id, "dy", 1), Uniform(id, "w", 0.1)]);
    }

    /// <summary>Weight gradient dW = dYᵀ·X on the layout's blocks only (Sdd, transA): output [nnz, b, b].</summary>
    public static PerfProgram SparseWeightGradient(string id, int tokens, BlockLayout layout, DType dtype = F)
    {
        var b = new GraphBuilder();
        var dy = b.Input("dy", dtype, tokens, layout.Rows);
        var x = b.Input("x", dtype, tokens, layout.Cols);
        b.Output("dw", b.BlockSparseMatMul(SparseMode.Sdd, layout, dy, x, transA: true));
        return new(b.Build(), [Uniform(id, "dy", 1), Uniform(id, "x", 1)]);
    }

    /// <summary>A dense C = op(A)·op(B) of the given shape.</summary>
    public static PerfProgram DenseGemm(string id, GemmShape shape, DType dtype = F)
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        var g = new GraphBuilder();
        var (ar, ac) = shape.AShape;
        var (br, bc) = shape.BShape;
        var a = g.Input("a", dtype, ar, ac);
        var bm = g.Input("b", dtype, br, bc);
        g.Output("c", g.MatMul(a, bm, shape.TransA, shape.TransB));
        return new(g.Build(), [Uniform(id, "a", 1), Uniform(id, "b", 1)]);
    }

    /// <summary>
    /// A whole Pixelfly linear layer (PIXELFLY-SPEC §3.1: sparse + rank-<paramref name="rank"/> low-rank, mixed by a
    /// per-token sigmoid gate, plus bias), forward only.
    /// </summary>
    public static PerfProgram PixelflyLayer(string id, int tokens, BlockLayout layout, int rank)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", F, tokens, layout.Cols);
        b.Output("y", CaseGenerator.PixelflyLayer(b, x, "fc", layout.Cols, layout.Rows, layout, rank));
        var graph = b.Build();
        return new(graph, graph.Bindable.Select(v => v.Name == "x" ? Uniform(id, "x", 1) : Uniform(id, v.Name, 0.05)).ToArray());
    }

    /// <summary>
    /// One AdamW training step of a two-layer MLP x → fc1 → GELU → fc2 with a mean-squared-error loss against a
    /// target: Pixelfly layers (same layout shape transposed for fc2) when <paramref name="fc1"/> is given, dense
    /// linear layers with bias otherwise.
    /// </summary>
    public static PerfProgram MlpTrainingStep(string id, int tokens, int features, int hidden, BlockLayout? fc1, BlockLayout? fc2, int rank)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", F, tokens, features);
        var target = b.Input("target", F, tokens, features);
        Value Layer(Value input, string name, int inF, int outF, BlockLayout? layout) => layout is null
            ? b.MatMul(input, b.Parameter($"{name}.w", F, outF, inF), transB: true) + b.Parameter($"{name}.bias", F, outF)
            : CaseGenerator.PixelflyLayer(b, input, name, inF, outF, layout, rank);
        var h = b.Gelu(Layer(x, "fc1", features, hidden, fc1));
        var y = Layer(h, "fc2", hidden, features, fc2);
        var err = y - target;
        b.Output(TrainingStep.Loss, b.ReduceMean(err * err, [0, 1]));
        var train = TrainingStep.Build(b.Build(), TrainingStep.Loss, new AdamWOp(0.9, 0.999, 1e-8, 0.01));
        var specs = train.Bindable.Select(v => v.Name switch
        {
            "x" or "target" => Uniform(id, v.Name, 1),
            TrainingStep.LearningRate => InputSpec.Constant(v.Name, 1e-4),
            // A constant step: every replay is the same first AdamW step, so repeated runs stay well-conditioned.
            TrainingStep.Step => InputSpec.Constant(v.Name, 1),
            _ when v.Name.StartsWith("adam.", StringComparison.Ordinal) => InputSpec.Zeros(v.Name),
            _ => Uniform(id, v.Name, 0.05),
        }).ToArray();
        return new(train, specs);
    }

    private static InputSpec Uniform(string id, string name, double bound) =>
        InputSpec.Uniform(name, -bound, bound, CaseGenerator.SeedFor(id, name));
}
