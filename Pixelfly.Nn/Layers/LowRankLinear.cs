using Pixelfly.Ir;
using Pixelfly.Nn.Init;

namespace Pixelfly.Nn.Layers;

/// <summary>
/// y = (x·Vᵀ)·Uᵀ (+ b) with U [out, r] and V [r, in]: fly's LowRank (lr_weight2 = U, lr_weight1 = V). With
/// <see cref="LowRankInit.Svd"/> the factors are the top-r SVD of a dense draw from <c>denseInit</c> (default
/// kaiming uniform, bound 1/√in).
/// </summary>
public sealed class LowRankLinear : Module, ILinearLayer
{
    private readonly LowRankInit _init;
    private readonly Initializer _denseInit;

    /// <summary>A rank-<paramref name="rank"/> layer.</summary>
    public LowRankLinear(string name, int inFeatures, int outFeatures, int rank, bool bias = false,
        LowRankInit init = LowRankInit.Linear, Initializer? denseInit = null)
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        if (rank < 1 || rank > Math.Min(inFeatures, outFeatures))
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in [1, {Math.Min(inFeatures, outFeatures)}] for a {inFeatures}->{outFeatures} layer");
        (InFeatures, OutFeatures, Rank, _init) = (inFeatures, outFeatures, rank, init);
        _denseInit = denseInit ?? Initializer.KaimingUniform(inFeatures);
        U = AddParameter("u", Initializer.KaimingUniform(rank), weightDecay: true, outFeatures, rank);
        V = AddParameter("v", Initializer.KaimingUniform(inFeatures), weightDecay: true, rank, inFeatures);
        Bias = bias ? AddParameter("bias", Initializer.KaimingUniform(inFeatures), weightDecay: false, outFeatures) : null;
    }

    /// <inheritdoc/>
    public int InFeatures { get; }

    /// <inheritdoc/>
    public int OutFeatures { get; }

    /// <summary>The rank r.</summary>
    public int Rank { get; }

    /// <summary>U [out, r].</summary>
    public Parameter U { get; }

    /// <summary>V [r, in].</summary>
    public Parameter V { get; }

    /// <summary>b [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public double Density => (double)Rank * (InFeatures + OutFeatures) / ((double)InFeatures * OutFeatures);

    /// <inheritdoc/>
    public long MultiplyAddsPerToken => (long)Rank * (InFeatures + OutFeatures);

    /// <inheritdoc/>
    public Value Forward(GraphScope scope, Value x)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Shapes.RequireFeatures(x, InFeatures, $"low-rank linear '{Name}'");
        var b = scope.Builder;
        var y = b.MatMul(b.MatMul(x, scope.Use(V), transB: true), scope.Use(U), transB: true);
        return Bias is null ? y : y + scope.Use(Bias);
    }

    /// <inheritdoc/>
    protected override void InitializeJointly(ulong seed)
    {
        if (_init != LowRankInit.Svd) return;
        var (u, v) = SvdFactors(seed, Qualify("dense"), _denseInit, OutFeatures, InFeatures, Rank);
        U.SetValues(u);
        V.SetValues(v);
    }

    /// <summary>The rank-r SVD factors of an out×in matrix drawn from <paramref name="init"/> on stream <paramref name="stream"/>.</summary>
    internal static (float[] U, float[] V) SvdFactors(ulong seed, string stream, Initializer init, int rows, int cols, int rank)
    {
        var dense = new float[rows * cols];
        var random = SeededRandom.For(seed, stream);
        init.Fill(random, dense);
        var (u, v) = LowRankProjection.Factor(Array.ConvertAll(dense, f => (double)f), rows, cols, rank, random);
        return (Array.ConvertAll(u, d => (float)d), Array.ConvertAll(v, d => (float)d));
    }
}
