using Pixelfly.Ir;
using Pixelfly.Nn.Init;
using Pixelfly.Nn.Layers;

namespace Pixelfly.Nn.Models;

/// <summary>GPT sizes (a small character-level model by default).</summary>
public sealed record GptConfig(
    int Vocabulary = 128, int Context = 128, int Dim = 256, int Depth = 4, int Heads = 4, int MlpHidden = 1024,
    PixelflyConfig? Pixelfly = null);

/// <summary>
/// A GPT-2-style decoder: token and position embeddings, pre-norm blocks with causal attention and an MLP, a final
/// LN and the output layer tied to the token embedding (logits = h·Eᵀ). The Pixelfly variant makes the MLPs
/// Pixelfly; attention projections, embeddings and the tied head stay dense (§4). Init: normal(0, 0.02) for dense
/// weights and embeddings (HF GPT-2), zero biases; Pixelfly layers keep their own init (fly's GPT-2 does).
/// </summary>
public sealed class GptLanguageModel : Module
{
    private readonly List<(LayerNorm Norm1, MultiHeadAttention Attention, LayerNorm Norm2, Mlp Mlp)> _blocks = [];

    /// <summary>A GPT; <paramref name="sparsity"/> picks dense or Pixelfly MLPs.</summary>
    public GptLanguageModel(GptConfig config, Sparsity sparsity) : base("")
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        var weight = Initializer.Normal(0.02);
        LinearFactory dense = (n, i, o) => new Linear(n, i, o, weightInit: weight, biasInit: Initializer.Zeros);
        var pixelfly = config.Pixelfly ?? new PixelflyConfig();
        LinearFactory mlp = sparsity == Sparsity.Pixelfly ? (n, i, o) => new PixelflyLinear(n, i, o, pixelfly) : dense;
        Tokens = AddModule(new Embedding("wte", config.Vocabulary, config.Dim, weight));
        Positions = AddModule(new Embedding("wpe", config.Context, config.Dim, Initializer.Normal(0.01)));
        for (int d = 0; d < config.Depth; d++)
        {
            string p = $"blocks.{d}";
            _blocks.Add((
                AddModule(new LayerNorm($"{p}.ln_1", config.Dim)),
                AddModule(new MultiHeadAttention($"{p}.attn", config.Dim, config.Heads, causal: true, dense)),
                AddModule(new LayerNorm($"{p}.ln_2", config.Dim)),
                AddModule(new Mlp($"{p}.mlp", config.Dim, config.MlpHidden, config.Dim, mlp))));
        }
        Norm = AddModule(new LayerNorm("ln_f", config.Dim));
    }

    /// <summary>The sizes.</summary>
    public GptConfig Config { get; }

    /// <summary>Token embedding (also the output layer).</summary>
    public Embedding Tokens { get; }

    /// <summary>Position embedding.</summary>
    public Embedding Positions { get; }

    /// <summary>The final norm.</summary>
    public LayerNorm Norm { get; }

    /// <summary>Logits [B, T, vocabulary] for token ids [B, T] (i32), T ≤ context.</summary>
    public Value Forward(GraphScope scope, Value ids)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (ids.Shape.Rank != 2 || ids.Shape[1] > Config.Context)
            throw new ArgumentException($"gpt expects token ids [batch, tokens ≤ {Config.Context}], got {ids.Type}");
        var b = scope.Builder;
        int tokens = ids.Shape[1];
        var positions = b.Constant($"positions.{tokens}", Tensors.HostTensor.FromDoubles(
            new Tensors.TensorType(Tensors.DType.I32, tokens), Enumerable.Range(0, tokens).Select(i => (double)i).ToArray()));
        var x = Tokens.Forward(scope, ids) + Positions.Forward(scope, positions);   // [B, T, D] + [T, D]
        foreach (var (norm1, attention, norm2, mlpBlock) in _blocks)
        {
            x += attention.Forward(scope, norm1.Forward(scope, x));
            x += mlpBlock.Forward(scope, norm2.Forward(scope, x));
        }
        return b.MatMul(Norm.Forward(scope, x), scope.Use(Tokens.Table), transB: true);
    }
}
