using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Nn.Init;

namespace Pixelfly.Nn.Layers;

/// <summary>
/// The Pixelfly layer, exactly PIXELFLY-SPEC §3.1 (fly's SparseLRLinear):
/// y = (1 − g)·x·W_sᵀ + g·x·(U·V)ᵀ + b, with g = σ(x·w_g + b_g) one scalar per token (0.5 without the gate).
/// W_s is block-sparse on the flat block butterfly layout (stored as [nnz, b, b]; inputs are zero-padded to the
/// layout's width and outputs sliced back when the features are not multiples of b). Init (§3.3, the intended
/// rule): W_s is a dense draw (default kaiming uniform, bound 1/√in_ext) with each block row scaled by
/// √(block columns / stored blocks in that block row), restricted to the layout; U, V as
/// <see cref="LowRankLinear"/> (linear or SVD); b uniform(±1/√out); the gate as a default nn.Linear(in, 1).
/// </summary>
public sealed class PixelflyLinear : Module, ILinearLayer
{
    private readonly Initializer _sparseDenseInit;

    /// <summary>A Pixelfly layer; <paramref name="denseInit"/> overrides the dense draw behind W_s and the SVD.</summary>
    public PixelflyLinear(string name, int inFeatures, int outFeatures, PixelflyConfig config, Initializer? denseInit = null, Initializer? biasInit = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        if (config.Rank < 0 || config.Rank > Math.Min(inFeatures, outFeatures))
            throw new ArgumentOutOfRangeException(nameof(config), config.Rank, $"rank must be in [0, {Math.Min(inFeatures, outFeatures)}] for a {inFeatures}->{outFeatures} layer");
        (InFeatures, OutFeatures, Config) = (inFeatures, outFeatures, config);
        Layout = BlockLayout.FlatBlockButterfly(outFeatures, inFeatures, config.BlockSize, config.ButterflySize, config.Factors);
        _sparseDenseInit = denseInit ?? Initializer.KaimingUniform(Layout.Cols);
        int b = config.BlockSize;
        SparseWeight = AddParameter("w_sparse", SparseInit(Layout, _sparseDenseInit), weightDecay: true, Layout.NnzBlocks, b, b);
        if (config.Rank > 0)
        {
            U = AddParameter("u", Initializer.KaimingUniform(config.Rank), weightDecay: true, outFeatures, config.Rank);
            V = AddParameter("v", Initializer.KaimingUniform(inFeatures), weightDecay: true, config.Rank, inFeatures);
            if (config.Gate)
            {
                GateWeight = AddParameter("gate_w", Initializer.KaimingUniform(inFeatures), weightDecay: true, inFeatures, 1);
                GateBias = AddParameter("gate_b", Initializer.KaimingUniform(inFeatures), weightDecay: false, 1);
            }
        }
        Bias = AddParameter("bias", biasInit ?? Initializer.KaimingUniform(outFeatures), weightDecay: false, outFeatures);
    }

    /// <inheritdoc/>
    public int InFeatures { get; }

    /// <inheritdoc/>
    public int OutFeatures { get; }

    /// <summary>The budget.</summary>
    public PixelflyConfig Config { get; }

    /// <summary>The flat block butterfly layout of W_s (its Rows × Cols may be padded past out × in).</summary>
    public BlockLayout Layout { get; }

    /// <summary>W_s blocks [nnz, b, b].</summary>
    public Parameter SparseWeight { get; }

    /// <summary>U [out, r] (null when r = 0).</summary>
    public Parameter? U { get; }

    /// <summary>V [r, in] (null when r = 0).</summary>
    public Parameter? V { get; }

    /// <summary>Gate weight [in, 1] (null without gate or low-rank term).</summary>
    public Parameter? GateWeight { get; }

    /// <summary>Gate bias [1].</summary>
    public Parameter? GateBias { get; }

    /// <summary>b [out].</summary>
    public Parameter Bias { get; }

    /// <inheritdoc/>
    public double Density =>
        ((double)Layout.NnzBlocks * Config.BlockSize * Config.BlockSize + (double)Config.Rank * (InFeatures + OutFeatures)) / ((double)InFeatures * OutFeatures);

    /// <inheritdoc/>
    public long MultiplyAddsPerToken =>
        (long)Layout.NnzBlocks * Config.BlockSize * Config.BlockSize + (long)Config.Rank * (InFeatures + OutFeatures) + (GateWeight is null ? 0 : InFeatures);

    /// <inheritdoc/>
    public Value Forward(GraphScope scope, Value x)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Shapes.RequireFeatures(x, InFeatures, $"pixelfly linear '{Name}'");
        var b = scope.Builder;
        var w = scope.Use(SparseWeight);
        if (U is null || V is null) return Sparse(b, x, w) + scope.Use(Bias);
        var (h, g) = LowRankAndGate(scope, x);
        // g is one scalar per token, so it commutes with the products: g·(x·(U·V)ᵀ) = (g·(x·Vᵀ))·Uᵀ and
        // (1 − g)·(x·W_sᵀ) = ((1 − g)·x)·W_sᵀ. Scaling the rank-r and the narrower of the in/out sides instead of
        // forming lerp(S, L, g) on out-wide rows keeps every out-wide intermediate (L − S, dS, dL) out of the step,
        // and autodiff then forms the gate's gradient from rank-r and in-width products.
        var lowRank = b.MatMul(g * h, scope.Use(U), transB: true);
        var keep = b.Scalar(1.0) - g;
        var sparse = InFeatures <= OutFeatures ? Sparse(b, keep * x, w) : keep * Sparse(b, x, w);
        return sparse + lowRank + scope.Use(Bias);
    }

    // h = x·Vᵀ and the gate g = σ(x·w_g + b_g). The gate's weight row rides along as row r of one [r + 1, in]
    // product, so its forward, its input gradient and its weight gradient are part of V's GEMMs instead of K = 1 and
    // N = 1 products of their own.
    private (Value H, Value G) LowRankAndGate(GraphScope scope, Value x)
    {
        var b = scope.Builder;
        var v = scope.Use(V!);
        if (GateWeight is null || GateBias is null) return (b.MatMul(x, v, transB: true), b.Scalar(0.5));
        var vg = b.Concat(0, v, b.Reshape(scope.Use(GateWeight), 1, InFeatures));
        var z = b.MatMul(x, vg, transB: true);
        var h = LastAxisSlice(b, z, 0, Config.Rank);
        var gate = LastAxisSlice(b, z, Config.Rank, Config.Rank + 1);
        return (h, b.Sigmoid(gate + scope.Use(GateBias)));
    }

    // Columns [from, to) of the last axis (fresh arrays: the op keeps them).
    private static Value LastAxisSlice(GraphBuilder b, Value z, int from, int to)
    {
        var begin = new int[z.Shape.Rank];
        var end = z.Shape.ToArray();
        begin[^1] = from;
        end[^1] = to;
        return b.Slice(z, begin, end);
    }

    /// <inheritdoc/>
    protected override void InitializeJointly(ulong seed)
    {
        if (Config.LowRankInit != LowRankInit.Svd || U is null || V is null) return;
        var (u, v) = LowRankLinear.SvdFactors(seed, Qualify("dense"), _sparseDenseInit, OutFeatures, InFeatures, Config.Rank);
        U.SetValues(u);
        V.SetValues(v);
    }

    // x [..., in] → pad to the layout's width → block-sparse x·W_sᵀ → slice to out.
    private Value Sparse(GraphBuilder b, Value x, Value w)
    {
        int rank = x.Shape.Rank;
        var xp = x;
        if (Layout.Cols != InFeatures)
        {
            var padEnd = new int[rank];
            padEnd[^1] = Layout.Cols - InFeatures;
            xp = b.Pad(x, new int[rank], padEnd);
        }
        var y = b.BlockSparseMatMul(SparseMode.Dds, Layout, xp, w, transB: true);
        if (Layout.Rows == OutFeatures) return y;
        var end = y.Shape.ToArray();
        end[^1] = OutFeatures;
        return b.Slice(y, new int[rank], end);
    }

    /// <summary>
    /// Stored blocks drawn from the dense rule, each block row scaled by √(block columns / its stored blocks): the
    /// same distribution as drawing the dense matrix, scaling its rows and keeping the layout (§3.3 steps 1–3).
    /// </summary>
    private static Initializer SparseInit(BlockLayout layout, Initializer dense) =>
        new($"{dense.Description}, block row p scaled by √({layout.BlockCols}/nnz(p))", (random, values) =>
        {
            dense.Fill(random, values);
            int bb = layout.BlockSize * layout.BlockSize;
            for (int p = 0; p < layout.BlockRows; p++)
            {
                int start = layout.RowPtr[p], end = layout.RowPtr[p + 1];
                if (end == start) continue;
                float scale = (float)Math.Sqrt((double)layout.BlockCols / (end - start));
                for (long i = (long)start * bb; i < (long)end * bb; i++) values[i] *= scale;
            }
        });
}
