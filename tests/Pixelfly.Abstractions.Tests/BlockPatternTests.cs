using Pixelfly.Layouts;

namespace Pixelfly.Tests;

public sealed class BlockPatternTests
{
    private static string Art(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));

    private static string[] Rows(BlockLayout layout) => layout.ToAsciiArt().TrimEnd('\n').Split('\n');

    // ---- Spec §1.5 golden examples ----

    [Test]
    public void S8F3At256WithBlock32MatchesTheGoldenMaskAndCsr()
    {
        var layout = BlockLayout.FlatBlockButterfly(256, 256, 32, 8, 3);
        Assert.That(layout.ToAsciiArt(), Is.EqualTo(Art(
            "###.#...",
            "##.#.#..",
            "#.##..#.",
            ".###...#",
            "#...###.",
            ".#..##.#",
            "..#.#.##",
            "...#.###")));
        Assert.That(layout.RowPtr.ToArray(), Is.EqualTo(new[] { 0, 4, 8, 12, 16, 20, 24, 28, 32 }));
        Assert.That(layout.ColIdx.ToArray(), Is.EqualTo(new[]
        {
            0, 1, 2, 4, 0, 1, 3, 5, 0, 2, 3, 6, 1, 2, 3, 7,
            0, 4, 5, 6, 1, 4, 5, 7, 2, 4, 6, 7, 3, 5, 6, 7,
        }));
        Assert.That((layout.Rows, layout.Cols, layout.BlockSize), Is.EqualTo((256, 256, 32)));
    }

    [Test]
    public void S8F2IsBlockDiagonalWithFourByFourBlocks()
    {
        var layout = BlockLayout.FlatBlockButterfly(256, 256, 32, 8, 2);
        Assert.That(layout.ToAsciiArt(), Is.EqualTo(Art(
            "###.....",
            "##.#....",
            "#.##....",
            ".###....",
            "....###.",
            "....##.#",
            "....#.##",
            ".....###")));
    }

    [Test]
    public void S8F2ShufflePermutesMaskColumnsLikeEinopsGroupC()
    {
        var layout = BlockLayout.FlatBlockButterfly(8, 8, 1, 8, 2, new ButterflyOptions(Shuffle: true));
        Assert.That(layout.ToAsciiArt(), Is.EqualTo(Art(
            "#.#.#...",
            "#.#...#.",
            "#...#.#.",
            "..#.#.#.",
            ".#.#.#..",
            ".#.#...#",
            ".#...#.#",
            "...#.#.#")));
    }

    [Test]
    public void ShuffleIsIdentityWhenFactorsReachLog2S()
    {
        var plain = BlockLayout.FlatBlockButterfly(64, 64, 8, 8, 3);
        var shuffled = BlockLayout.FlatBlockButterfly(64, 64, 8, 8, 3, new ButterflyOptions(Shuffle: true));
        Assert.That(shuffled, Is.EqualTo(plain));
    }

    private static readonly string GlobalGolden = Art(
        "########",
        "##.#....",
        "#.##....",
        "####....",
        "#...###.",
        "#...##.#",
        "#...#.##",
        "#....###");

    [Test]
    public void GlobalSizeOneOnTheElementMaskMatchesGolden()
    {
        var layout = BlockLayout.FlatBlockButterfly(8, 8, 1, 8, 2, new ButterflyOptions(GlobalSize: 1));
        Assert.That(layout.ToAsciiArt(), Is.EqualTo(GlobalGolden));
    }

    [Test]
    public void GlobalSizeOfOneBlockAt256MatchesGolden()
    {
        var layout = BlockLayout.FlatBlockButterfly(256, 256, 32, 8, 2, new ButterflyOptions(GlobalSize: 32));
        Assert.That(layout.ToAsciiArt(), Is.EqualTo(GlobalGolden));
    }

    [Test]
    public void GlobalSizeIsInElementsSoAPartialBlockMakesTheWholeBlockRowDense()
    {
        var layout = BlockLayout.FlatBlockButterfly(256, 256, 32, 8, 2, new ButterflyOptions(GlobalSize: 33));
        var rows = Rows(layout);
        Assert.That(rows[0], Is.EqualTo("########"));
        Assert.That(rows[1], Is.EqualTo("########"));
        Assert.That(rows[2], Is.EqualTo("####....")); // "#.##...." plus global columns 0 and 1
        Assert.That(rows[7], Is.EqualTo("##...###"));
    }

    [Test]
    public void RectangularStretchRepeatsEachMaskRowTwice()
    {
        var layout = BlockLayout.FlatBlockButterfly(128, 64, 8, 8, 2);
        string[] mask = ["###.....", "##.#....", "#.##....", ".###....", "....###.", "....##.#", "....#.##", ".....###"];
        Assert.That(Rows(layout), Is.EqualTo(mask.SelectMany(r => new[] { r, r }).ToArray()));
    }

    [Test]
    public void MisalignedPixelsSmearOverFiveBlocks()
    {
        var layout = BlockLayout.FlatBlockButterfly(3072, 768, 32, 16, 2);
        Assert.That((layout.BlockRows, layout.BlockCols), Is.EqualTo((96, 24)));
        var rows = Rows(layout);
        string[] firstGroup = ["#####", "###.##", "##.###", ".#####"];
        for (int p = 0; p < 24; p++)
            Assert.That(rows[p], Is.EqualTo(firstGroup[p / 6].PadRight(24, '.')), $"block row {p}");
        Assert.That(rows[24], Is.EqualTo("......#####............."));
        Assert.That(layout.NnzBlocks, Is.EqualTo(480));
        Assert.That(layout.Density, Is.EqualTo(0.2083).Within(5e-5));
    }

    // ---- Spec §1.4 table ----

    [TestCase(256, 256, 8, 3, 32, 32, 0.5000, new[] { 4 }, new[] { 4 })]
    [TestCase(2048, 512, 16, 2, 32, 192, 0.1875, new[] { 3 }, new[] { 12 })]
    [TestCase(3072, 768, 16, 2, 32, 480, 0.2083, new[] { 5 }, new[] { 18, 24 })]
    [TestCase(768, 3072, 16, 2, 32, 480, 0.2083, new[] { 18, 24 }, new[] { 5 })]
    [TestCase(3072, 768, 8, 2, 32, 864, 0.3750, new[] { 9 }, new[] { 36 })]
    [TestCase(3072, 768, 16, 2, 16, 1728, 0.1875, new[] { 9 }, new[] { 36 })]
    [TestCase(2304, 768, 16, 2, 32, 368, 0.2130, new[] { 5, 6 }, new[] { 14, 18 })]
    [TestCase(768, 768, 16, 2, 32, 128, 0.2222, new[] { 5, 6 }, new[] { 5, 6 })]
    [TestCase(4096, 1024, 16, 2, 32, 768, 0.1875, new[] { 6 }, new[] { 24 })]
    public void DensityTableOfRealLayersMatchesSpec(
        int rows, int cols, int s, int f, int b, int nnz, double density, int[] perRow, int[] perCol)
    {
        var layout = BlockLayout.FlatBlockButterfly(rows, cols, b, s, f);
        Assert.That(layout.NnzBlocks, Is.EqualTo(nnz));
        Assert.That(layout.Density, Is.EqualTo(density).Within(5e-5));
        var rowCounts = Enumerable.Range(0, layout.BlockRows).Select(p => layout.RowPtr[p + 1] - layout.RowPtr[p]);
        var colCounts = Enumerable.Range(0, layout.BlockCols).Select(q => layout.ColPtr[q + 1] - layout.ColPtr[q]);
        Assert.That(rowCounts.Distinct().Order().ToArray(), Is.EqualTo(perRow));
        Assert.That(colCounts.Distinct().Order().ToArray(), Is.EqualTo(perCol));
    }

    [Test]
    public void LogicalSizesArePaddedToBlocksBeforeThePatternIsBuilt()
    {
        var logical = BlockLayout.FlatBlockButterfly(149, 698, 32, 16, 2);
        var padded = BlockLayout.FlatBlockButterfly(160, 704, 32, 16, 2);
        Assert.That((logical.Rows, logical.Cols), Is.EqualTo((160, 704)));
        Assert.That(logical, Is.EqualTo(padded));
    }

    // ---- Brute-force oracle ----

    // Materializes D element by element from the butterfly-factor definition (not the XOR shortcut), then blocks it.
    private static bool[,] OracleBlockMask(int rows, int cols, int b, int s, int f, ButterflyOptions o)
    {
        int outExt = (rows + b - 1) / b * b, inExt = (cols + b - 1) / b * b;
        var m = new bool[s, s];
        for (int k = 0; k < f; k++)
            for (int r = 0; r < s; r++)
                for (int c = 0; c < s; c++)
                    if (r / (2 << k) == c / (2 << k) && r % (1 << k) == c % (1 << k))
                        m[r, c] = true;
        for (int r = 0; r < s; r++) m[r, r] = true;
        if (o.Shuffle)
        {
            // rearrange '(group c) -> (c group)': output column (c, grp) reads input column (grp, c).
            int g = 1 << (int)(Math.Log2(s) - f), per = s / g;
            var shuffled = new bool[s, s];
            for (int r = 0; r < s; r++)
                for (int c = 0; c < per; c++)
                    for (int grp = 0; grp < g; grp++)
                        shuffled[r, c * g + grp] = m[r, grp * per + c];
            m = shuffled;
        }
        int fo = outExt / s, fi = inExt / s;
        var blocks = new bool[outExt / b, inExt / b];
        for (int r = 0; r < s * fo; r++)
            for (int c = 0; c < s * fi; c++)
                if (m[r / fo, c / fi]) blocks[r / b, c / b] = true;
        int br = outExt / b, bc = inExt / b;
        if (o.Tile && br != bc)
        {
            var tiled = new bool[br, bc];
            if (br > bc)
            {
                int ratio = br / bc;
                for (int i = 0; i < br / ratio; i++)
                    for (int r = 0; r < ratio; r++)
                        for (int q = 0; q < bc; q++)
                            tiled[r * (br / ratio) + i, q] = blocks[i * ratio + r, q]; // view(A, ratio, C).permute(1, 0, 2)
            }
            else
            {
                int ratio = bc / br;
                for (int p = 0; p < br; p++)
                    for (int j = 0; j < bc / ratio; j++)
                        for (int r = 0; r < ratio; r++)
                            tiled[p, r * (bc / ratio) + j] = blocks[p, j * ratio + r]; // view(R, A, ratio).permute(0, 2, 1)
            }
            blocks = tiled;
        }
        for (int r = 0; r < Math.Min(o.GlobalSize, outExt); r++)
            for (int c = 0; c < inExt; c++)
                blocks[r / b, c / b] = true;
        for (int c = 0; c < Math.Min(o.GlobalSize, inExt); c++)
            for (int r = 0; r < outExt; r++)
                blocks[r / b, c / b] = true;
        return blocks;
    }

    private static IEnumerable<(int Rows, int Cols, int B, int S, int F)> RandomValidShapes(int seed, int count)
    {
        var rng = new Random(seed);
        int[] bs = [1, 2, 4, 8, 16], ss = [2, 4, 8, 16];
        for (int n = 0; n < count; n++)
        {
            int b = bs[rng.Next(bs.Length)], s = ss[rng.Next(ss.Length)];
            int unit = b * s / (int)System.Numerics.BigInteger.GreatestCommonDivisor(b, s); // lcm: padded sizes must be multiples of it
            int outExt = unit * rng.Next(1, 7), inExt = unit * rng.Next(1, 7);
            yield return (outExt - rng.Next(b), inExt - rng.Next(b), b, s, rng.Next(1, (int)Math.Log2(s) + 1));
        }
    }

    [Test]
    public void StretchMatchesBruteForceOracleOnRandomSmallShapes()
    {
        int checkedCases = 0;
        foreach (var (rows, cols, b, s, f) in RandomValidShapes(1234, 600))
        {
            var expected = OracleBlockMask(rows, cols, b, s, f, new ButterflyOptions());
            var actual = BlockLayout.FlatBlockButterfly(rows, cols, b, s, f);
            Assert.That(actual.ToMask(), Is.EqualTo(expected), $"{rows}x{cols} b={b} S={s} F={f}");
            checkedCases++;
        }
        Assert.That(checkedCases, Is.EqualTo(600));
    }

    [Test]
    public void EveryValidFactorCountMatchesOracleForEverySizeAndBlock()
    {
        foreach (int s in new[] { 2, 4, 8, 16 })
            foreach (int b in new[] { 1, 2, 4, 8, 16 })
                for (int f = 1; f <= (int)Math.Log2(s); f++)
                {
                    int n = Math.Max(s, b) * 3;
                    var expected = OracleBlockMask(n, 2 * n, b, s, f, new ButterflyOptions());
                    Assert.That(BlockLayout.FlatBlockButterfly(n, 2 * n, b, s, f).ToMask(), Is.EqualTo(expected), $"{n}x{2 * n} b={b} S={s} F={f}");
                }
    }

    [Test]
    public void OptionsMatchBruteForceOracleOnRandomSmallShapes()
    {
        var rng = new Random(99);
        foreach (var (rows, cols, b, s, f) in RandomValidShapes(4321, 600))
        {
            int br = (rows + b - 1) / b, bc = (cols + b - 1) / b;
            bool canTile = br % bc == 0 || bc % br == 0;
            var o = new ButterflyOptions(Tile: canTile && rng.Next(2) == 1, GlobalSize: rng.Next(3) == 0 ? rng.Next(1, 20) : 0, Shuffle: rng.Next(2) == 1);
            var expected = OracleBlockMask(rows, cols, b, s, f, o);
            Assert.That(BlockLayout.FlatBlockButterfly(rows, cols, b, s, f, o).ToMask(), Is.EqualTo(expected), $"{rows}x{cols} b={b} S={s} F={f} {o}");
        }
    }

    // ---- Tile ----

    [Test]
    public void TileOnATallMatrixRepeatsTheSquarePatternAndOnlyPermutesRows()
    {
        var stretched = BlockLayout.FlatBlockButterfly(128, 64, 8, 8, 2);
        var tiled = BlockLayout.FlatBlockButterfly(128, 64, 8, 8, 2, new ButterflyOptions(Tile: true));
        var square = Rows(BlockLayout.FlatBlockButterfly(64, 64, 8, 8, 2));
        Assert.That(Rows(tiled), Is.EqualTo(square.Concat(square).ToArray()));
        Assert.That(tiled.NnzBlocks, Is.EqualTo(stretched.NnzBlocks));
        Assert.That(Rows(tiled).Order().ToArray(), Is.EqualTo(Rows(stretched).Order().ToArray()));
        Assert.That(tiled, Is.Not.EqualTo(stretched));
    }

    [Test]
    public void TileOnAWideMatrixRepeatsTheSquarePatternAlongColumns()
    {
        var stretched = BlockLayout.FlatBlockButterfly(64, 256, 8, 8, 3);
        var tiled = BlockLayout.FlatBlockButterfly(64, 256, 8, 8, 3, new ButterflyOptions(Tile: true));
        var square = Rows(BlockLayout.FlatBlockButterfly(64, 64, 8, 8, 3));
        Assert.That(Rows(tiled), Is.EqualTo(square.Select(r => r + r + r + r).ToArray()));
        Assert.That(tiled.Density, Is.EqualTo(stretched.Density));
        Assert.That(Rows(tiled.Transposed()).Order().ToArray(), Is.EqualTo(Rows(stretched.Transposed()).Order().ToArray()));
    }

    [Test]
    public void TileKeepsDensityOfMisalignedStretch()
    {
        var stretched = BlockLayout.FlatBlockButterfly(3072, 768, 32, 16, 2);
        var tiled = BlockLayout.FlatBlockButterfly(3072, 768, 32, 16, 2, new ButterflyOptions(Tile: true));
        Assert.That(tiled.NnzBlocks, Is.EqualTo(480));
        Assert.That(Rows(tiled).Order().ToArray(), Is.EqualTo(Rows(stretched).Order().ToArray()));
    }

    [Test]
    public void TileEqualsStretchOnSquareMatrices()
    {
        var o = new ButterflyOptions(Tile: true);
        Assert.That(BlockLayout.FlatBlockButterfly(768, 768, 32, 16, 2, o), Is.EqualTo(BlockLayout.FlatBlockButterfly(768, 768, 32, 16, 2)));
    }

    // ---- Errors ----

    [TestCase(64, 64, 8, 12, 2, "butterfly size S=12 is not a power of two")]
    [TestCase(64, 64, 8, 0, 1, "butterfly size S=0 is not a power of two")]
    [TestCase(64, 64, 8, -4, 1, "butterfly size S=-4 is not a power of two")]
    [TestCase(64, 64, 8, 1, 1, "butterfly size S=1 must be at least 2")]
    [TestCase(64, 64, 8, 8, 0, "number of factors F=0 is outside [1, log2 S] = [1, 3] for S=8")]
    [TestCase(64, 64, 8, 8, 4, "number of factors F=4 is outside [1, log2 S] = [1, 3] for S=8")]
    [TestCase(149, 256, 32, 64, 2, "padded rows 160 (rows 149 rounded up to block size 32) are not a multiple of butterfly size S=64")]
    [TestCase(256, 698, 32, 128, 2, "padded cols 704 (cols 698 rounded up to block size 32) are not a multiple of butterfly size S=128")]
    [TestCase(4, 64, 1, 8, 2, "padded rows 4 (rows 4 rounded up to block size 1) are not a multiple of butterfly size S=8")]
    [TestCase(64, 64, 0, 8, 2, "block size must be positive, got 0")]
    [TestCase(0, 64, 8, 8, 2, "matrix size must be positive, got 0x64")]
    [TestCase(64, -1, 8, 8, 2, "matrix size must be positive, got 64x-1")]
    public void FlatBlockButterflyRejectsInvalidArguments(int rows, int cols, int b, int s, int f, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => BlockLayout.FlatBlockButterfly(rows, cols, b, s, f));
        Assert.That(ex!.Message, Does.Contain(message));
    }

    [Test]
    public void NegativeGlobalSizeIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => BlockLayout.FlatBlockButterfly(64, 64, 8, 8, 2, new ButterflyOptions(GlobalSize: -1)));
        Assert.That(ex!.Message, Does.Contain("global size must be >= 0, got -1"));
    }

    [Test]
    public void TileRejectsBlockCountsThatDoNotDivide()
    {
        Assert.That(BlockLayout.FlatBlockButterfly(96, 64, 8, 16, 2).BlockRows, Is.EqualTo(12)); // stretch is fine
        var ex = Assert.Throws<ArgumentException>(() => BlockLayout.FlatBlockButterfly(96, 64, 8, 16, 2, new ButterflyOptions(Tile: true)));
        Assert.That(ex!.Message, Does.Contain("tiling needs one block count to divide the other, got 12x8 blocks"));
    }

    // ---- Dense, block diagonal, element mask ----

    [Test]
    public void DensePadsUpAndStoresEveryBlock()
    {
        var layout = BlockLayout.Dense(149, 698, 32);
        Assert.That((layout.Rows, layout.Cols, layout.BlockRows, layout.BlockCols), Is.EqualTo((160, 704, 5, 22)));
        Assert.That(layout.NnzBlocks, Is.EqualTo(110));
        Assert.That(layout.Density, Is.EqualTo(1.0));
    }

    [Test]
    public void BlockDiagonalPlacesDenseTilesOnTheDiagonal()
    {
        var layout = BlockLayout.BlockDiagonal(64, 32, 8, 4);
        Assert.That(layout.ToAsciiArt(), Is.EqualTo(Art("#...", "#...", ".#..", ".#..", "..#.", "..#.", "...#", "...#")));
        var square = BlockLayout.BlockDiagonal(30, 30, 5, 2);
        Assert.That(square.ToAsciiArt(), Is.EqualTo(Art("###...", "###...", "###...", "...###", "...###", "...###")));
    }

    [TestCase(64, 48, 8, 4, "4 diagonal tiles do not divide the 8x6 block grid")]
    [TestCase(64, 64, 8, 0, "number of diagonal tiles must be positive, got 0")]
    public void BlockDiagonalRejectsTileCountsThatDoNotFit(int rows, int cols, int b, int n, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => BlockLayout.BlockDiagonal(rows, cols, b, n));
        Assert.That(ex!.Message, Does.Contain(message));
    }

    [Test]
    public void ElementMaskIsPaddedAndBlockedByAny()
    {
        var mask = new bool[3, 5];
        mask[0, 0] = true;
        mask[2, 4] = true;
        mask[1, 3] = true;
        var layout = BlockLayout.FromElementMask(mask, 2);
        Assert.That((layout.Rows, layout.Cols), Is.EqualTo((4, 6)));
        Assert.That(layout.ToAsciiArt(), Is.EqualTo(Art("##.", "..#")));
    }

    [Test]
    public void ElementMaskOfTheButterflyEqualsTheBuilder()
    {
        var elements = BlockLayout.FlatBlockButterfly(96, 48, 1, 8, 2).ToMask();
        Assert.That(BlockLayout.FromElementMask(elements, 8), Is.EqualTo(BlockLayout.FlatBlockButterfly(96, 48, 8, 8, 2)));
    }

    [Test]
    public void EmptyElementMaskIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => BlockLayout.FromElementMask(new bool[0, 4], 2));
        Assert.That(ex!.Message, Does.Contain("matrix size must be positive, got 0x4"));
    }

    // ---- Random ----

    private static ulong SplitMix64Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [Test]
    public void TestSplitMix64MatchesPublishedSequenceForSeedZero()
    {
        ulong state = 0;
        Assert.That(SplitMix64Next(ref state), Is.EqualTo(0xE220A8397B1DCDAFUL));
        Assert.That(SplitMix64Next(ref state), Is.EqualTo(0x6E789E6AA1B965F4UL));
        Assert.That(SplitMix64Next(ref state), Is.EqualTo(0x06C45D188009454FUL));
    }

    [Test]
    public void RandomDrawsOneSplitMix64ValuePerBlockInRowMajorOrder()
    {
        const double density = 0.4;
        var layout = BlockLayout.Random(100, 70, 4, density, 42);
        ulong state = 42;
        var expected = new bool[25, 18];
        for (int p = 0; p < 25; p++)
            for (int q = 0; q < 18; q++)
                expected[p, q] = (SplitMix64Next(ref state) >> 11) * Math.Pow(2, -53) < density;
        Assert.That(layout.ToMask(), Is.EqualTo(expected));
    }

    [Test]
    public void RandomIsReproducibleForASeedAndChangesWithIt()
    {
        var a = BlockLayout.Random(512, 512, 16, 0.3, 7);
        Assert.That(BlockLayout.Random(512, 512, 16, 0.3, 7), Is.EqualTo(a));
        Assert.That(BlockLayout.Random(512, 512, 16, 0.3, 8), Is.Not.EqualTo(a));
    }

    [Test]
    public void RandomDensityIsNearTheRequestedValue()
    {
        var layout = BlockLayout.Random(1024, 1024, 16, 0.3, 2024);
        Assert.That((layout.BlockRows, layout.BlockCols), Is.EqualTo((64, 64)));
        Assert.That(layout.Density, Is.EqualTo(0.3).Within(0.05));
    }

    [Test]
    public void RandomDensityZeroIsEmptyAndOneIsDense()
    {
        Assert.That(BlockLayout.Random(64, 64, 8, 0.0, 1).NnzBlocks, Is.EqualTo(0));
        Assert.That(BlockLayout.Random(64, 64, 8, 1.0, 1), Is.EqualTo(BlockLayout.Dense(64, 64, 8)));
    }

    [TestCase(-0.1)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    public void RandomRejectsDensityOutsideUnitInterval(double density)
    {
        var ex = Assert.Throws<ArgumentException>(() => BlockLayout.Random(64, 64, 8, density, 1));
        Assert.That(ex!.Message, Does.Contain("density must be in [0, 1]"));
    }
}
