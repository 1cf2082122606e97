using Pixelfly.Nn.Models;

namespace Pixelfly.Nn.Tests;

public sealed class ModelCatalogTests
{
    private static int[] Shape(Module model, string parameter) => model.Parameters().Single(p => p.Name == parameter).Shape.ToArray();

    [Test]
    public void The_mixer_has_mixer_s_channel_mlps_unless_sized_otherwise()
    {
        var setup = ModelCatalog.Image("mixer", Sparsity.Dense, 8);
        using var model = setup.Model;
        Assert.That(Shape(model, "blocks.0.channel_mlp.fc1.weight"), Is.EqualTo(new[] { 2048, 512 }));

        var small = ModelCatalog.Image("mixer", Sparsity.Dense, 8, size: new ModelSize(Width: 256, MlpHidden: 1024));
        using var smallModel = small.Model;
        Assert.That(Shape(smallModel, "blocks.0.channel_mlp.fc1.weight"), Is.EqualTo(new[] { 1024, 256 }));
        Assert.That(small.Config, Is.Not.EqualTo(setup.Config), "the config string tells the sizes apart (checkpoints must match it)");
    }

    [Test]
    public void Sizes_reach_the_vit_and_the_gpt_and_their_pixelfly_layers()
    {
        using var vit = ModelCatalog.Image("vit", Sparsity.Pixelfly, 8, size: new ModelSize(Width: 96, MlpHidden: 256)).Model;
        Assert.That(Shape(vit, "blocks.0.mlp.fc1.u"), Is.EqualTo(new[] { 256, 32 }));
        Assert.That(Shape(vit, "blocks.0.mlp.fc1.v"), Is.EqualTo(new[] { 32, 96 }));

        using var gpt = ModelCatalog.Text("gpt", Sparsity.Dense, 4, 16, 40, size: new ModelSize(MlpHidden: 448)).Model;
        Assert.That(Shape(gpt, "blocks.0.mlp.fc1.weight"), Is.EqualTo(new[] { 448, 256 }), "the width stays the catalog's");
    }

    [TestCase(0, null, "the model width must be at least 1")]
    [TestCase(null, -4, "the MLP hidden width must be at least 1")]
    [TestCase(130, null, "gpt has 4 attention heads: its width must be a multiple of 4, got 130")]
    public void Bad_gpt_sizes_are_refused_with_the_reason(int? width, int? hidden, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ModelCatalog.Text("gpt", Sparsity.Dense, 4, 16, 40, size: new ModelSize(width, hidden)));
        Assert.That(e!.Message, Does.Contain(message));
    }

    [Test]
    public void A_vit_width_that_does_not_split_into_its_heads_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelCatalog.Image("vit", Sparsity.Dense, 8, size: new ModelSize(Width: 100)));
        Assert.That(e!.Message, Does.Contain("vit has 3 attention heads"));
    }
}
