using Pixelfly.Ir;
using Pixelfly.Nn.Init;
using Pixelfly.Nn.Layers;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Models;

/// <summary>ViT sizes. <see cref="SparseAttentionProjections"/> also makes q/k/v Pixelfly (fly's "mlpattnlinear").</summary>
public sealed record VitConfig(
    int ImageSize = 28, int Channels = 1, int Patch = 4, int Dim = 192, int Depth = 4, int Heads = 3,
    int MlpHidden = 768, int Classes = 10, PixelflyConfig? Pixelfly = null, bool SparseAttentionProjections = false);

/// <summary>
/// Vision Transformer: patch embedding, a class token and learned position embeddings, pre-norm blocks
/// (x + attn(LN(x)), x + MLP(LN(x))), LN, the class token's features into a linear head. The Pixelfly variant makes
/// the MLPs Pixelfly (and q/k/v with <see cref="VitConfig.SparseAttentionProjections"/>); the attention output
/// projection and the attention itself stay dense (§4). Init as fly's ViT: truncated normal(0.02) weights, zero
/// biases, zero head.
/// </summary>
public sealed class VisionTransformer : Module
{
    private readonly List<(LayerNorm Norm1, MultiHeadAttention Attention, LayerNorm Norm2, Mlp Mlp)> _blocks = [];

    /// <summary>A ViT; <paramref name="sparsity"/> picks dense or Pixelfly MLPs.</summary>
    public VisionTransformer(VitConfig config, Sparsity sparsity) : base("")
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        Embed = AddModule(new PatchEmbedding("patch_embed", config.Channels, config.ImageSize, config.ImageSize, config.Patch, config.Dim));
        var weight = Initializer.TruncatedNormal(0.02);
        LinearFactory dense = (n, i, o) => new Linear(n, i, o, weightInit: weight, biasInit: Initializer.Zeros);
        var pixelfly = config.Pixelfly ?? new PixelflyConfig();
        LinearFactory sparse = (n, i, o) => new PixelflyLinear(n, i, o, pixelfly, weight, Initializer.Zeros);
        var mlp = sparsity == Sparsity.Pixelfly ? sparse : dense;
        var qkv = sparsity == Sparsity.Pixelfly && config.SparseAttentionProjections ? sparse : dense;
        ClassToken = AddParameter("cls_token", Initializer.TruncatedNormal(0.02), weightDecay: false, 1, 1, config.Dim);
        Positions = AddParameter("pos_embed", Initializer.TruncatedNormal(0.02), weightDecay: false, Embed.Tokens + 1, config.Dim);
        for (int d = 0; d < config.Depth; d++)
        {
            string p = $"blocks.{d}";
            _blocks.Add((
                AddModule(new LayerNorm($"{p}.norm1", config.Dim, 1e-6)),
                AddModule(new MultiHeadAttention($"{p}.attn", config.Dim, config.Heads, causal: false, qkv)),
                AddModule(new LayerNorm($"{p}.norm2", config.Dim, 1e-6)),
                AddModule(new Mlp($"{p}.mlp", config.Dim, config.MlpHidden, config.Dim, mlp))));
        }
        Norm = AddModule(new LayerNorm("norm", config.Dim, 1e-6));
        Head = AddModule(new Linear("head", config.Dim, config.Classes, weightInit: Initializer.Zeros, biasInit: Initializer.Zeros));
    }

    /// <summary>The sizes.</summary>
    public VitConfig Config { get; }

    /// <summary>The patch embedding.</summary>
    public PatchEmbedding Embed { get; }

    /// <summary>The class token [1, 1, D].</summary>
    public Parameter ClassToken { get; }

    /// <summary>Position embeddings [N + 1, D].</summary>
    public Parameter Positions { get; }

    /// <summary>The final norm.</summary>
    public LayerNorm Norm { get; }

    /// <summary>The classifier head.</summary>
    public Linear Head { get; }

    /// <summary>Logits [B, classes] of images [B, C, H, W].</summary>
    public Value Forward(GraphScope scope, Value images)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var b = scope.Builder;
        var patches = Embed.Forward(scope, images);                              // [B, N, D]
        int batch = patches.Shape[0], dim = Config.Dim;
        var cls = b.BroadcastTo(scope.Use(ClassToken), batch, 1, dim);
        var x = b.Concat(1, cls, patches) + scope.Use(Positions);                // [B, N + 1, D]
        foreach (var (norm1, attention, norm2, mlp) in _blocks)
        {
            x += attention.Forward(scope, norm1.Forward(scope, x));
            x += mlp.Forward(scope, norm2.Forward(scope, x));
        }
        var first = b.Reshape(b.Slice(Norm.Forward(scope, x), [0, 0, 0], [batch, 1, dim]), batch, dim);
        return Head.Forward(scope, first);
    }
}
