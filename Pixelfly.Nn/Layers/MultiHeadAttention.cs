using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Layers;

/// <summary>
/// Multi-head scaled dot-product self-attention on x [B, T, D]: q, k, v projections (from a factory, so ViT's
/// "mlpattnlinear" variant can make them Pixelfly), softmax(q·kᵀ/√d_h [+ causal mask])·v per head, and a dense
/// output projection (always dense, as in fly). The causal mask adds −1e9 above the diagonal, a constant of the
/// graph, so each position attends to itself and earlier ones only.
/// </summary>
public sealed class MultiHeadAttention : Module
{
    /// <summary>Attention over <paramref name="dim"/> features in <paramref name="heads"/> heads.</summary>
    public MultiHeadAttention(string name, int dim, int heads, bool causal, LinearFactory? qkv = null) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(heads);
        if (dim % heads != 0) throw new ArgumentException($"attention '{name}': {dim} features do not split into {heads} heads");
        (Dim, Heads, Causal) = (dim, heads, causal);
        var make = qkv ?? LinearFactories.Dense;
        Query = Linear(make, "q_proj");
        Key = Linear(make, "k_proj");
        Value = Linear(make, "v_proj");
        Output = AddModule(new Linear(Qualify("proj"), dim, dim));
    }

    /// <summary>Model width.</summary>
    public int Dim { get; }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <summary>Whether position t sees only positions ≤ t.</summary>
    public bool Causal { get; }

    /// <summary>The query projection.</summary>
    public ILinearLayer Query { get; }

    /// <summary>The key projection.</summary>
    public ILinearLayer Key { get; }

    /// <summary>The value projection.</summary>
    public ILinearLayer Value { get; }

    /// <summary>The output projection.</summary>
    public Linear Output { get; }

    /// <summary>Attention(x) for x [B, T, D].</summary>
    public Ir.Value Forward(GraphScope scope, Ir.Value x)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (x.Shape.Rank != 3 || x.Shape[2] != Dim)
            throw new ArgumentException($"attention '{Name}' expects [batch, tokens, {Dim}], got {x.Type}");
        var b = scope.Builder;
        int batch = x.Shape[0], tokens = x.Shape[1], dh = Dim / Heads;
        Ir.Value Split(Ir.Value t) => b.Transpose(b.Reshape(t, batch, tokens, Heads, dh), 0, 2, 1, 3);
        var q = Split(Query.Forward(scope, x));
        var k = Split(Key.Forward(scope, x));
        var v = Split(Value.Forward(scope, x));
        var scores = b.MatMul(q, k, transB: true) * b.Scalar(1 / Math.Sqrt(dh));
        if (Causal) scores += CausalMask(b, tokens);
        var mixed = b.MatMul(b.Softmax(scores), v);                       // [B, H, T, dh]
        var merged = b.Reshape(b.Transpose(mixed, 0, 2, 1, 3), batch, tokens, Dim);
        return Output.Forward(scope, merged);
    }

    private ILinearLayer Linear(LinearFactory make, string local)
    {
        var module = make(Qualify(local), Dim, Dim);
        if (module is not ILinearLayer layer)
            throw new ArgumentException($"the attention projection factory made a {module.GetType().Name}, which is not a linear layer");
        AddModule(module);
        return layer;
    }

    // [T, T]: 0 on and below the diagonal, −1e9 above (one constant per graph and size).
    private Ir.Value CausalMask(GraphBuilder b, int tokens)
    {
        var mask = new double[tokens * tokens];
        for (int i = 0; i < tokens; i++)
            for (int j = i + 1; j < tokens; j++) mask[i * tokens + j] = -1e9;
        return b.Constant($"{Qualify("causal_mask")}.{tokens}", HostTensor.FromDoubles(new TensorType(DType.F32, tokens, tokens), mask));
    }
}
