using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Nn.Init;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Layers;

/// <summary>
/// The Pixelfly layer, exactly PIXELFLY-SPEC §3.1 (fly's SparseLRLinear):
/// y = (1 − g)·x·W_sᵀ + g·x·(U·V)ᵀ + b, with g = σ(x·w_g + b_g) one scalar per token (0.5 without the gate).
/// W_s is block-sparse on the flat block butterfly layout (stored as [nnz, b, b]; inputs are zero-padded to the
/// layout's width and outputs sliced back when the features are not multiples of b). Init (§3.3, the intended
/// rule): W_s is a dense draw (default kaiming uniform, bound 1/√in_ext) with each block row scaled by
/// √(block columns / stored blocks in that block row), restricted to the layout; U, V as
/// <see cref="LowRankLinear"/> (linear or SVD); b uniform(±1/√out); the gate as a default nn.Linear(in, 1).
/// The graph runs the rank-r term inside the block-sparse product (<see cref="ProductLayout"/>, built by
/// <see cref="LowRankFold"/>): same function, but no thin dense products over the layer's wide side.
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
        if (config.Rank > 0)
            ProductLayout = FoldsIntoColumns
                ? LowRankFold.WithDenseColumns(Layout, LowRankFold.Blocks(config.Rank, b))
                : LowRankFold.WithDenseRows(Layout, LowRankFold.Blocks(FactorRows, b));
        else
            ProductLayout = Layout;
    }

    /// <inheritdoc/>
    public int InFeatures { get; }

    /// <inheritdoc/>
    public int OutFeatures { get; }

    /// <summary>The budget.</summary>
    public PixelflyConfig Config { get; }

    /// <summary>The flat block butterfly layout of W_s (its Rows × Cols may be padded past out × in).</summary>
    public BlockLayout Layout { get; }

    /// <summary>
    /// The layout the layer's one block-sparse product runs on: <see cref="Layout"/> with the rank-r term folded in
    /// (<see cref="LowRankFold"/>): U as extra block columns when in ≤ out, V and the gate row as extra block rows
    /// otherwise; <see cref="Layout"/> itself without a low-rank term.
    /// </summary>
    public BlockLayout ProductLayout { get; }

    // U folds into the columns when the output is the wide side (so y is written once, by the block-sparse
    // kernel), V into the rows when the input is (so x is read once forward and dX written once backward).
    private bool FoldsIntoColumns => InFeatures <= OutFeatures;

    // Rows of the dense factor folded into the rows: V, plus the gate's weight row.
    private int FactorRows => Config.Rank + (Config.Gate ? 1 : 0);

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
        if (U is null || V is null)
            return LastAxisSlice(b, b.BlockSparseMatMul(SparseMode.Dds, Layout, PadFeatures(b, x, Layout.Cols), w, transB: true), 0, OutFeatures) + scope.Use(Bias);
        return (FoldsIntoColumns ? ForwardWithUInColumns(scope, x, w) : ForwardWithVInRows(scope, x, w)) + scope.Use(Bias);
    }

    // g is one scalar per token, so it commutes with the products: (1 − g)·(x·W_sᵀ) = ((1 − g)·x)·W_sᵀ and
    // g·(x·(U·V)ᵀ) = (g·(x·Vᵀ))·Uᵀ. Scaling the rank-r and the narrower of the in/out sides keeps every wide
    // intermediate out of the step, and autodiff forms the gate's gradient from rank-r and in-width products.

    // in ≤ out: [(1 − g)·x, g·h] · [W_s, U]ᵀ, one product whose output is the layer's (before the bias); h and the
    // gate come from one thin product over the narrow input.
    private Value ForwardWithUInColumns(GraphScope scope, Value x, Value w)
    {
        var b = scope.Builder;
        int bs = Config.BlockSize, extra = LowRankFold.Blocks(Config.Rank, bs);
        var z = b.MatMul(x, FactorRowsValue(scope), transB: true);
        var (h, g) = LowRankAndGate(scope, z);
        var keep = b.Scalar(1.0) - g;
        var input = b.Concat(x.Shape.Rank - 1, PadFeatures(b, keep * x, Layout.Cols), PadFeatures(b, g * h, extra * bs));
        var uBlocks = LowRankFold.ToBlocks(b, scope.Use(U!), Layout.Rows, extra * bs, bs);
        var order = scope.Constant(Qualify("u_fold_order"), () =>
        {
            var o = LowRankFold.ColumnFoldOrder(Layout, extra);
            return HostTensor.FromInts(o, o.Length);
        });
        var weights = b.Gather(b.Concat(0, w, uBlocks), order);
        var y = b.BlockSparseMatMul(SparseMode.Dds, ProductLayout, input, weights, transB: true);
        return LastAxisSlice(b, y, 0, OutFeatures);
    }

    // in > out: x · [W_s; V; w_gᵀ]ᵀ = [x·W_sᵀ, x·Vᵀ, x·w_g] in one product over the wide input, then the narrow
    // output (1 − g)·(x·W_sᵀ) + (g·h)·Uᵀ.
    private Value ForwardWithVInRows(GraphScope scope, Value x, Value w)
    {
        var b = scope.Builder;
        int bs = Config.BlockSize;
        var factorBlocks = LowRankFold.ToBlocks(b, FactorRowsValue(scope), LowRankFold.Blocks(FactorRows, bs) * bs, Layout.Cols, bs);
        var product = b.BlockSparseMatMul(SparseMode.Dds, ProductLayout, PadFeatures(b, x, Layout.Cols), b.Concat(0, w, factorBlocks), transB: true);
        var sparse = LastAxisSlice(b, product, 0, OutFeatures);
        var (h, g) = LowRankAndGate(scope, LastAxisSlice(b, product, Layout.Rows, Layout.Rows + FactorRows));
        return (b.Scalar(1.0) - g) * sparse + b.MatMul(g * h, scope.Use(U!), transB: true);
    }

    // [V; w_gᵀ] ([r + 1, in]), or V without the gate: the gate's weight row rides along in V's product, so its
    // forward, its input gradient and its weight gradient are part of V's instead of K = 1 and N = 1 products.
    private Value FactorRowsValue(GraphScope scope)
    {
        var b = scope.Builder;
        var v = scope.Use(V!);
        return GateWeight is null ? v : b.Concat(0, v, b.Reshape(scope.Use(GateWeight), 1, InFeatures));
    }

    // h and g = σ(z_gate + b_g) from z = x·[V; w_gᵀ]ᵀ (g = 0.5 without the gate).
    private (Value H, Value G) LowRankAndGate(GraphScope scope, Value z)
    {
        var b = scope.Builder;
        var h = LastAxisSlice(b, z, 0, Config.Rank);
        if (GateWeight is null || GateBias is null) return (h, b.Scalar(0.5));
        var gate = LastAxisSlice(b, z, Config.Rank, Config.Rank + 1);
        return (h, b.Sigmoid(gate + scope.Use(GateBias)));
    }

    // Columns [from, to) of the last axis (fresh arrays: the op keeps them); the value itself when that is all of it.
    private static Value LastAxisSlice(GraphBuilder b, Value z, int from, int to)
    {
        if (from == 0 && to == z.Shape[-1]) return z;
        var begin = new int[z.Shape.Rank];
        var end = z.Shape.ToArray();
        begin[^1] = from;
        end[^1] = to;
        return b.Slice(z, begin, end);
    }

    // The last axis zero-padded to `width`.
    private static Value PadFeatures(GraphBuilder b, Value x, int width)
    {
        int features = x.Shape[-1];
        if (features == width) return x;
        var padEnd = new int[x.Shape.Rank];
        padEnd[^1] = width - features;
        return b.Pad(x, new int[x.Shape.Rank], padEnd);
    }

    /// <inheritdoc/>
    protected override void InitializeJointly(ulong seed)
    {
        if (Config.LowRankInit != LowRankInit.Svd || U is null || V is null) return;
        var (u, v) = LowRankLinear.SvdFactors(seed, Qualify("dense"), _sparseDenseInit, OutFeatures, InFeatures, Config.Rank);
        U.SetValues(u);
        V.SetValues(v);
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
