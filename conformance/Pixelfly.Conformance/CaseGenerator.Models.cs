using Pixelfly.Autodiff;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

// Model-level cases: N AdamW steps of a small Pixelfly MLP, one training-step graph replayed with donated state.
public static partial class CaseGenerator
{
    /// <summary>
    /// A Pixelfly linear layer exactly as PIXELFLY-SPEC §3.1: y = lerp(x·W_sᵀ, x·(U·V)ᵀ, g) + bias with
    /// g = σ(x·w_g + b_g) per token. Parameters: prefix.w_sparse [nnz,b,b], prefix.u [out,r], prefix.v [r,in],
    /// prefix.gate_w [in,1], prefix.gate_b [1], prefix.bias [out].
    /// </summary>
    public static Value PixelflyLayer(GraphBuilder b, Value x, string prefix, int inF, int outF, BlockLayout l, int rank)
    {
        const DType f = DType.F32;
        var ws = b.Parameter($"{prefix}.w_sparse", f, l.NnzBlocks, l.BlockSize, l.BlockSize);
        var u = b.Parameter($"{prefix}.u", f, outF, rank);
        var v = b.Parameter($"{prefix}.v", f, rank, inF);
        var gw = b.Parameter($"{prefix}.gate_w", f, inF, 1);
        var gb = b.Parameter($"{prefix}.gate_b", f, 1);
        var bias = b.Parameter($"{prefix}.bias", f, outF);
        var sparse = PixelflySparseLinear(b, x, ws, l, inF, outF);
        var lowRank = b.MatMul(b.MatMul(x, v, transB: true), u, transB: true);
        var g = b.Sigmoid(b.MatMul(x, gw) + gb);
        return sparse + g * (lowRank - sparse) + bias;
    }

    /// <summary>
    /// Initial values in the spirit of the spec's init (§3.3): kaiming-uniform bounds 1/√fan_in, the sparse part
    /// scaled by √(block cols / stored blocks per row) to keep the output variance.
    /// </summary>
    internal static Dictionary<string, Gen> PixelflyLayerGens(string prefix, BlockLayout l, int inF, int rank)
    {
        double bound = 1 / Math.Sqrt(inF);
        double perRow = (double)l.NnzBlocks / l.BlockRows;
        return G(
            ($"{prefix}.w_sparse", U(-bound * Math.Sqrt(l.BlockCols / perRow), bound * Math.Sqrt(l.BlockCols / perRow))),
            ($"{prefix}.u", U(-1 / Math.Sqrt(rank), 1 / Math.Sqrt(rank))),
            ($"{prefix}.v", U(-bound, bound)),
            ($"{prefix}.gate_w", U(-bound, bound)),
            ($"{prefix}.gate_b", Zeros),
            ($"{prefix}.bias", U(-bound, bound)));
    }

    private static void AddModels(CaseSet set)
    {
        const int steps = 20;
        foreach (var (bs, s) in new[] { (16, 8), (32, 4) })
        {
            const int tokens = 64, inF = 128, hidden = 256, classes = 10, rank = 8;
            var l = BlockLayout.FlatBlockButterfly(hidden, inF, bs, s, 2);
            var b = new GraphBuilder();
            var x = b.Input("x", DType.F32, tokens, inF);
            var labels = b.Input("labels", DType.I32, tokens);
            var h = b.Gelu(PixelflyLayer(b, x, "fc1", inF, hidden, l, rank));
            var logits = b.MatMul(h, b.Parameter("fc2.w", DType.F32, classes, hidden), transB: true) + b.Parameter("fc2.b", DType.F32, classes);
            b.Output("loss", b.ReduceMean(b.CrossEntropy(logits, labels), [0]));
            var train = TrainingStep.Build(b.Build(), "loss", new AdamWOp(0.9, 0.999, 1e-8, 0.01));

            var gens = PixelflyLayerGens("fc1", l, inF, rank);
            gens["x"] = Unit;
            gens["labels"] = Labels(classes);
            gens["fc2.w"] = U(-1 / Math.Sqrt(hidden), 1 / Math.Sqrt(hidden));
            gens["fc2.b"] = Zeros;
            // lr 2e-3 takes the loss from 2.3 to ~1.0-1.4 in 20 steps: it moves visibly but stays far from 0, where f32
            // cross-entropy loses relative precision. step counts 1, 2, … for AdamW's bias correction.
            gens[TrainingStep.LearningRate] = Const(2e-3);
            gens[TrainingStep.Step] = StepFrom(1);
            foreach (var p in train.Inputs.Where(v => v.Name.StartsWith("adam.", StringComparison.Ordinal)))
                gens[p.Name] = Zeros;
            set.Add($"model/pixelfly-mlp/b{bs}-s{s}-f2/adamw-{steps}-steps", CaseClass.Numeric, train, gens,
                ["model", "bsmm", "pixelfly-linear", "low-rank", $"b{bs}"], steps: steps);
        }
    }
}
