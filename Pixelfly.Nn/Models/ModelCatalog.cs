using Pixelfly.Nn.Layers;
using Pixelfly.Nn.Training;

namespace Pixelfly.Nn.Models;

/// <summary>A model ready to train on a task: the module, the task graph builder, its batch size and a config string
/// that identifies it (checkpoints must match it).</summary>
public sealed record ModelSetup(Module Model, TaskBuilder Task, int BatchSize, string Config);

/// <summary>
/// The models `pixelfly train` knows, with sizes for this project's data sets: 28×28 grey images in 10 classes
/// (Mixer, ViT) and character-level text (GPT). The Pixelfly variants sparsify what the paper does (§4) with one
/// budget for every sparsified layer.
/// </summary>
public static class ModelCatalog
{
    /// <summary>Known model names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mixer", "vit", "gpt"];

    /// <summary>
    /// The Pixelfly budget used unless a run overrides it: b 32, S 16, F 2, rank 32, the sparse config and rank of
    /// every released fly low-rank config (PIXELFLY-SPEC §3.1). fly's Mixer-B recipe overrides S to 8 (denser);
    /// on this project's Mixer S 16 kept the accuracy (docs/TRAINING.md) and trains faster.
    /// </summary>
    public static PixelflyConfig DefaultPixelfly { get; } = new(BlockSize: 32, ButterflySize: 16, Factors: 2, Rank: 32);

    /// <summary>Builds an image model (mixer, vit) for 28×28×1 images and 10 classes; <paramref name="size"/> overrides its widths.</summary>
    public static ModelSetup Image(string name, Sparsity sparsity, int batch, PixelflyConfig? pixelfly = null, ModelSize? size = null)
    {
        var budget = pixelfly ?? DefaultPixelfly;
        size ??= ModelSize.Default;
        size.Validate();
        switch (name)
        {
            case "mixer":
            {
                // Mixer-S/16's channel MLP (512 → 2048 → 512), the layers Pixelfly sparsifies, on 49 tokens of 4×4
                // patches: wide enough that the channel MLPs are most of the step, as in the paper's ImageNet Mixers
                // (at 256 → 1024 the shared token MLPs, norms and element-wise work were a third of it).
                var config = new MixerConfig(ImageSize: 28, Channels: 1, Patch: 4, Dim: size.Width ?? 512, Depth: 4, TokenHidden: 128, ChannelHidden: size.MlpHidden ?? 2048, Classes: 10, Pixelfly: budget);
                var model = new MlpMixer(config, sparsity);
                return new(model, Tasks.Classification(model.Forward, batch, 1, 28), batch, Describe("mixer", sparsity, config));
            }
            case "vit":
            {
                var config = new VitConfig(ImageSize: 28, Channels: 1, Patch: 4, Dim: size.Width ?? 192, Depth: 4, Heads: 3, MlpHidden: size.MlpHidden ?? 768, Classes: 10, Pixelfly: budget);
                RequireHeads("vit", config.Dim, config.Heads);
                var model = new VisionTransformer(config, sparsity);
                return new(model, Tasks.Classification(model.Forward, batch, 1, 28), batch, Describe("vit", sparsity, config));
            }
            default:
                throw new ArgumentException(name == "gpt" ? "gpt is a language model: train it on moby-dick or sotu" : Unknown(name));
        }
    }

    /// <summary>
    /// Builds the GPT for a vocabulary of <paramref name="vocabulary"/> characters and windows of <paramref name="tokens"/>;
    /// <paramref name="size"/> overrides its widths.
    /// </summary>
    public static ModelSetup Text(string name, Sparsity sparsity, int batch, int tokens, int vocabulary, PixelflyConfig? pixelfly = null, ModelSize? size = null)
    {
        if (name != "gpt")
            throw new ArgumentException(Names.Contains(name) ? $"{name} is an image model: train it on fashion-mnist or mnist" : Unknown(name));
        size ??= ModelSize.Default;
        size.Validate();
        var config = new GptConfig(Vocabulary: vocabulary, Context: tokens, Dim: size.Width ?? 256, Depth: 4, Heads: 4, MlpHidden: size.MlpHidden ?? 1024, Pixelfly: pixelfly ?? DefaultPixelfly);
        RequireHeads("gpt", config.Dim, config.Heads);
        var model = new GptLanguageModel(config, sparsity);
        return new(model, Tasks.LanguageModel(model.Forward, batch, tokens), batch, Describe("gpt", sparsity, config));
    }

    // The attention heads split the width evenly; say so in the catalog's terms rather than a layer's.
    private static void RequireHeads(string model, int width, int heads)
    {
        if (width % heads != 0) throw new ArgumentException($"{model} has {heads} attention heads: its width must be a multiple of {heads}, got {width}");
    }

    private static string Describe(string name, Sparsity sparsity, object config) => $"{name} {sparsity.ToString().ToLowerInvariant()} {config}";

    private static string Unknown(string name) => $"unknown model '{name}'; known models: {string.Join(", ", Names)}";
}
