using System.Globalization;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Cases;

// How each kind of case is put together: ids, programs, dense counterparts and FLOP counts.
public static partial class PerfCatalog
{
    private static void AddSparseLinear(List<PerfCase> cases, string[] suites, int tokens, BlockLayout l, string pattern, DType dtype = DType.F32)
    {
        int outF = l.Rows, inF = l.Cols, b = l.BlockSize;
        double useful = 2.0 * tokens * l.NnzBlocks * b * b;
        string shape = $"{outF}x{inF}/t{tokens}/{pattern}";
        string density = l.Density.ToString("0.####", CultureInfo.InvariantCulture);

        string id = $"linear-sparse/forward/{shape}";
        var dense = new GemmShape(tokens, outF, inF, TransB: true);
        cases.Add(new PerfCase(id, suites, PerfCaseKind.Forward,
            $"Y[{tokens},{outF}] = X[{tokens},{inF}]·Wᵀ, W {outF}x{inF} flat block butterfly {pattern} (density {density}), Dds transB",
            PerfGraphs.SparseForward(id, tokens, l, dtype), PerfGraphs.DenseGemm(id + "/dense", dense, dtype), dense, useful, dense.Flops, b, l.Density));

        id = $"linear-sparse/dx/{shape}";
        dense = new GemmShape(tokens, inF, outF);
        cases.Add(new PerfCase(id, suites, PerfCaseKind.InputGradient,
            $"dX[{tokens},{inF}] = dY[{tokens},{outF}]·W, W {outF}x{inF} {pattern} (density {density}), Dds",
            PerfGraphs.SparseInputGradient(id, tokens, l, dtype), PerfGraphs.DenseGemm(id + "/dense", dense, dtype), dense, useful, dense.Flops, b, l.Density));

        id = $"linear-sparse/dw/{shape}";
        dense = new GemmShape(outF, inF, tokens, TransA: true);
        cases.Add(new PerfCase(id, suites, PerfCaseKind.WeightGradient,
            $"dW = dY[{tokens},{outF}]ᵀ·X[{tokens},{inF}] on the {pattern} layout (density {density}), Sdd transA",
            PerfGraphs.SparseWeightGradient(id, tokens, l, dtype), PerfGraphs.DenseGemm(id + "/dense", dense, dtype), dense, useful, dense.Flops, b, l.Density));
    }

    private static void AddGemm(List<PerfCase> cases, string[] suites, GemmShape shape, DType dtype = DType.F32)
    {
        // f32 GEMM ids carry no dtype (as before dtypes existed here); others end in "-bf16" / "-f16".
        string id = $"gemm/{shape.M}x{shape.N}x{shape.K}" + (shape.TransA ? "-ta" : "") + (shape.TransB ? "-tb" : "") + DTypeSuffix(dtype);
        cases.Add(new PerfCase(id, suites, PerfCaseKind.DenseGemm,
            $"dense C = op(A)·op(B), {shape}{(dtype == DType.F32 ? "" : $", {dtype.Name()} in and out, f32 accumulation")} (our dense matmul)",
            PerfGraphs.DenseGemm(id, shape, dtype), null, shape, shape.Flops, shape.Flops));
    }

    private static string DTypeSuffix(DType dtype) => dtype == DType.F32 ? "" : "-" + dtype.Name();

    // Forward FLOPs of one Pixelfly layer: the sparse part, the two thin low-rank GEMMs and the gate's GEMV.
    private static double LayerFlops(int tokens, BlockLayout l, int rank) =>
        2.0 * tokens * ((double)l.NnzBlocks * l.BlockSize * l.BlockSize + (double)rank * (l.Rows + l.Cols) + l.Cols);

    private static void AddLayer(List<PerfCase> cases, string[] suites, int tokens, BlockLayout l, string pattern, int rank)
    {
        string id = $"linear-pixelfly/forward/{l.Rows}x{l.Cols}/t{tokens}/{pattern}-r{rank}";
        var dense = new GemmShape(tokens, l.Rows, l.Cols, TransB: true);
        cases.Add(new PerfCase(id, suites, PerfCaseKind.Layer,
            $"whole Pixelfly linear {l.Cols}->{l.Rows}, {tokens} tokens: {pattern} sparse + rank-{rank} low-rank, sigmoid gate, bias",
            PerfGraphs.PixelflyLayer(id, tokens, l, rank), PerfGraphs.DenseGemm(id + "/dense", dense), dense,
            LayerFlops(tokens, l, rank), dense.Flops, l.BlockSize, l.Density));
    }

    private static void AddTrainingStep(List<PerfCase> cases, string[] suites, int tokens, int d, int hidden, int b, int s, int f, int rank)
    {
        var fc1 = BlockLayout.FlatBlockButterfly(hidden, d, b, s, f);
        var fc2 = BlockLayout.FlatBlockButterfly(d, hidden, b, s, f);
        string id = $"train/pixelfly-mlp/{d}-{hidden}-{d}/t{tokens}/b{b}-s{s}-f{f}-r{rank}";
        // Forward, dX and dW: three times the forward matmul FLOPs of both layers (elementwise and AdamW not counted).
        double useful = 3 * (LayerFlops(tokens, fc1, rank) + LayerFlops(tokens, fc2, rank));
        double dense = 3 * 2 * (2.0 * tokens * d * hidden);
        cases.Add(new PerfCase(id, suites, PerfCaseKind.TrainingStep,
            $"one AdamW step (forward, backward, update) of MLP {d}->{hidden}->{d} with Pixelfly layers b{b} S{s} F{f} rank {rank}, {tokens} tokens, MSE loss; dense counterpart: the same MLP with dense layers",
            PerfGraphs.MlpTrainingStep(id, tokens, d, hidden, fc1, fc2, rank),
            PerfGraphs.MlpTrainingStep(id + "/dense", tokens, d, hidden, null, null, rank),
            null, useful, dense, b, (fc1.Density * fc1.Rows * fc1.Cols + fc2.Density * fc2.Rows * fc2.Cols) / (2.0 * d * hidden)));
    }
}
