using Pixelfly.Ir;
using Pixelfly.Nn.Init;
using Pixelfly.Nn.Layers;

namespace Pixelfly.Nn.Models;

/// <summary>MLP-Mixer sizes. <see cref="Pixelfly"/> applies to the channel MLPs only (§4).</summary>
public sealed record MixerConfig(
    int ImageSize = 28, int Channels = 1, int Patch = 4, int Dim = 256, int Depth = 4,
    int TokenHidden = 128, int ChannelHidden = 1024, int Classes = 10, PixelflyConfig? Pixelfly = null);

/// <summary>
/// MLP-Mixer (Tolstikhin et al.): patch embedding, blocks of token mixing (LN → transpose → MLP over tokens →
/// transpose, residual) and channel mixing (LN → MLP over features, residual), LN, mean over tokens, linear head.
/// The Pixelfly variant makes the channel MLPs Pixelfly; token MLPs, embedding, norms and head stay dense (§4).
/// Init as fly's Mixer: Xavier-uniform linear weights (and dense draws behind Pixelfly layers), zero head.
/// </summary>
public sealed class MlpMixer : Module
{
    private readonly List<(LayerNorm TokenNorm, Mlp TokenMlp, LayerNorm ChannelNorm, Mlp ChannelMlp)> _blocks = [];

    /// <summary>A Mixer; <paramref name="sparsity"/> picks dense or Pixelfly channel MLPs.</summary>
    public MlpMixer(MixerConfig config, Sparsity sparsity) : base("")
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        Embed = AddModule(new PatchEmbedding("patch_embed", config.Channels, config.ImageSize, config.ImageSize, config.Patch, config.Dim));
        int tokens = Embed.Tokens;
        // fly/timm Mixer init: Xavier weights, MLP biases N(0, 1e-6).
        var mlpBias = Initializer.Normal(1e-6);
        LinearFactory dense = (n, i, o) => new Linear(n, i, o, weightInit: Initializer.XavierUniform(i, o), biasInit: mlpBias);
        var pixelfly = config.Pixelfly ?? new PixelflyConfig();
        LinearFactory channel = sparsity == Sparsity.Pixelfly
            ? (n, i, o) => new PixelflyLinear(n, i, o, pixelfly, Initializer.XavierUniform(i, o), mlpBias)
            : dense;
        for (int d = 0; d < config.Depth; d++)
        {
            string p = $"blocks.{d}";
            _blocks.Add((
                AddModule(new LayerNorm($"{p}.norm1", config.Dim)),
                AddModule(new Mlp($"{p}.token_mlp", tokens, config.TokenHidden, tokens, dense)),
                AddModule(new LayerNorm($"{p}.norm2", config.Dim)),
                AddModule(new Mlp($"{p}.channel_mlp", config.Dim, config.ChannelHidden, config.Dim, channel))));
        }
        Norm = AddModule(new LayerNorm("norm", config.Dim));
        Head = AddModule(new Linear("head", config.Dim, config.Classes, weightInit: Initializer.Zeros, biasInit: Initializer.Zeros));
    }

    /// <summary>The sizes.</summary>
    public MixerConfig Config { get; }

    /// <summary>The patch embedding.</summary>
    public PatchEmbedding Embed { get; }

    /// <summary>The final norm.</summary>
    public LayerNorm Norm { get; }

    /// <summary>The classifier head.</summary>
    public Linear Head { get; }

    /// <summary>The channel MLPs (the layers Pixelfly replaces).</summary>
    public IEnumerable<Mlp> ChannelMlps => _blocks.Select(b => b.ChannelMlp);

    /// <summary>Logits [B, classes] of images [B, C, H, W].</summary>
    public Value Forward(GraphScope scope, Value images)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var b = scope.Builder;
        var x = Embed.Forward(scope, images);                                    // [B, N, D]
        foreach (var (tokenNorm, tokenMlp, channelNorm, channelMlp) in _blocks)
        {
            // The token MLP mixes along N: W·x_b per image, no transposes to [B, D, N] and back.
            x += tokenMlp.ForwardAlongRows(scope, tokenNorm.Forward(scope, x));   // [B, N, D]
            x += channelMlp.Forward(scope, channelNorm.Forward(scope, x));
        }
        var pooled = b.ReduceMean(Norm.Forward(scope, x), [1]);                  // [B, D]
        return Head.Forward(scope, pooled);
    }
}
