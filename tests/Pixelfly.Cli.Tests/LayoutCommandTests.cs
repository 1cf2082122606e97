using System.Text.Json;
using System.Text.Json.Nodes;
using Pixelfly.Ir.Json;
using Pixelfly.Layouts;

namespace Pixelfly.Cli.Tests;

public sealed class LayoutCommandTests
{
    private static string[] Args(int rows, int cols, int block, int s, int f, params string[] extra) =>
        ["layout", "--rows", $"{rows}", "--cols", $"{cols}", "--block", $"{block}", "--butterfly", $"{s}", "--factors", $"{f}", .. extra];

    private static IEnumerable<TestCaseData> Layouts()
    {
        yield return new TestCaseData(64, 64, 8, 8, 3, false).SetName("Square");
        yield return new TestCaseData(60, 100, 8, 4, 2, false).SetName("PaddedRectangle");
        yield return new TestCaseData(128, 32, 4, 8, 2, false).SetName("TallStretched");
        yield return new TestCaseData(128, 32, 4, 8, 2, true).SetName("TallTiled");
        yield return new TestCaseData(16, 16, 1, 16, 4, false).SetName("ElementMask");
    }

    [TestCaseSource(nameof(Layouts))]
    public void JsonParsesAndEqualsTheFlatBlockButterflyLayout(int rows, int cols, int block, int s, int f, bool tile)
    {
        var expected = BlockLayout.FlatBlockButterfly(rows, cols, block, s, f, new ButterflyOptions(Tile: tile));
        string stdout = CliHarness.Succeeds(Args(rows, cols, block, s, f, tile ? ["--tile", "--json"] : ["--json"]));

        Assert.That(stdout.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one JSON object on one line");
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.That((int)json["rows"]!, Is.EqualTo(expected.Rows));
        Assert.That((int)json["cols"]!, Is.EqualTo(expected.Cols));
        Assert.That((int)json["logicalRows"]!, Is.EqualTo(rows));
        Assert.That((int)json["logicalCols"]!, Is.EqualTo(cols));
        Assert.That((int)json["block"]!, Is.EqualTo(block));
        Assert.That((int)json["blockRows"]!, Is.EqualTo(expected.BlockRows));
        Assert.That((int)json["blockCols"]!, Is.EqualTo(expected.BlockCols));
        Assert.That((int)json["nnzBlocks"]!, Is.EqualTo(expected.NnzBlocks));
        Assert.That((double)json["density"]!, Is.EqualTo(expected.Density));
        Assert.That((bool)json["tile"]!, Is.EqualTo(tile));
        var rowPtr = json["rowPtr"]!.AsArray().Select(n => (int)n!).ToArray();
        var colIdx = json["colIdx"]!.AsArray().Select(n => (int)n!).ToArray();
        var rebuilt = new BlockLayout((int)json["rows"]!, (int)json["cols"]!, (int)json["block"]!, rowPtr, colIdx);
        Assert.That(rebuilt, Is.EqualTo(expected));

        // The "layout" member is the IR's own form: it reads back through the IR's JSON options.
        var ir = json["layout"]!.Deserialize<BlockLayout>(IrJsonOptions.Default);
        Assert.That(ir, Is.EqualTo(expected));
    }

    [Test]
    public void AsciiArtIsTheHeaderThenTheLayoutsArt()
    {
        var expected = BlockLayout.FlatBlockButterfly(60, 60, 8, 8, 2);
        string stdout = CliHarness.Succeeds(Args(60, 60, 8, 8, 2));
        var lines = stdout.Replace("\r\n", "\n").Split('\n');
        Assert.That(lines[0], Does.Contain("64x64 (padded from 60x60)").And.Contain("8x8 blocks")
            .And.Contain($"{expected.NnzBlocks} nnz blocks").And.Contain("density 0.375"));
        Assert.That(string.Join("\n", lines.Skip(1)), Is.EqualTo(expected.ToAsciiArt()));
    }

    [Test]
    public void GlobalSizeAndShuffleReachThePattern()
    {
        var expected = BlockLayout.FlatBlockButterfly(32, 32, 4, 8, 2, new ButterflyOptions(GlobalSize: 4, Shuffle: true));
        var json = JsonNode.Parse(CliHarness.Succeeds(Args(32, 32, 4, 8, 2, "--global-size", "4", "--shuffle", "--json")))!;
        Assert.That(json["layout"]!.Deserialize<BlockLayout>(IrJsonOptions.Default), Is.EqualTo(expected));
        Assert.That(expected, Is.Not.EqualTo(BlockLayout.FlatBlockButterfly(32, 32, 4, 8, 2)), "the options must matter for this test to mean anything");
    }

    [Test]
    public void AButterflySizeThatIsNotAPowerOfTwoIsAnError() =>
        CliHarness.Fails(1, Args(64, 64, 8, 6, 2), "butterfly size S=6 is not a power of two");

    [TestCase(0)]
    [TestCase(4)]
    public void FactorsOutOfRangeAreAnError(int factors) =>
        CliHarness.Fails(1, Args(64, 64, 8, 8, factors), $"F={factors} is outside [1, log2 S] = [1, 3]");

    [Test]
    public void ABlockSizeOfZeroIsAnError() =>
        CliHarness.Fails(1, Args(64, 64, 0, 8, 2), "block size must be positive");

    [Test]
    public void SizesTheButterflyDoesNotDivideAreAnError() =>
        CliHarness.Fails(1, Args(24, 64, 8, 16, 2), "padded rows 24", "not a multiple of butterfly size S=16");

    [Test]
    public void TilingSizesWhereNeitherBlockCountDividesTheOtherIsAnError() =>
        CliHarness.Fails(1, Args(48, 32, 8, 2, 1, "--tile"), "tiling needs one block count to divide the other", "6x4 blocks");

    [Test]
    public void ANonIntegerValueIsAUsageError() =>
        CliHarness.Fails(2, ["layout", "--rows", "64", "--cols", "6x4", "--block", "8", "--butterfly", "8", "--factors", "2"],
            "option '--cols' expects an integer, got '6x4'");

    [Test]
    public void AMissingRequiredOptionIsAUsageError() =>
        CliHarness.Fails(2, ["layout", "--rows", "64", "--cols", "64", "--block", "8", "--butterfly", "8"], "missing required option '--factors F'");
}
