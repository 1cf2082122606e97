namespace Pixelfly.Layouts;

// Pattern builders: Pixelfly's flat block butterfly (spec §1) and the baselines it is compared with.
public sealed partial class BlockLayout
{
    /// <summary>
    /// The flat block butterfly layout of Pixelfly, exactly as fly's <c>FlatBlockButterflySparsityConfig.make_layout</c>
    /// builds it (spec §1.2). <paramref name="rows"/> and <paramref name="cols"/> are logical sizes; they are first
    /// padded up to multiples of b (out_ext, in_ext). The S×S mask is M[r, c] = 1 ⇔ (r XOR c) ∈ {0, 1, 2, …, 2^(F−1)},
    /// optionally column-shuffled; each mask entry is stretched to a dense pixel of (out_ext/S)×(in_ext/S) elements,
    /// and a b×b block is stored iff it touches any nonzero element.
    /// </summary>
    /// <remarks>
    /// Unlike fly, which silently builds a wrong-sized layout, this throws when out_ext or in_ext is not a multiple
    /// of S (so every pixel is at least one element). Cost is about O(stored blocks · log), never O(rows · cols).
    /// </remarks>
    /// <param name="rows">Logical output size (matrix rows), &gt; 0.</param>
    /// <param name="cols">Logical input size (matrix columns), &gt; 0.</param>
    /// <param name="blockSize">Storage block edge b, &gt; 0 (b = 1 gives the element mask).</param>
    /// <param name="butterflySize">S: a power of two, ≥ 2.</param>
    /// <param name="factors">F: number of butterfly factors summed, in [1, log2 S].</param>
    /// <param name="options">Tile / global size / shuffle; null means the defaults.</param>
    /// <exception cref="ArgumentException">On any invalid argument; the message names the value and the rule.</exception>
    public static BlockLayout FlatBlockButterfly(int rows, int cols, int blockSize, int butterflySize, int factors, ButterflyOptions? options = null)
    {
        options ??= new ButterflyOptions();
        var (outExt, inExt) = PadToBlocks(rows, cols, blockSize);
        int s = butterflySize;
        if (s <= 0 || (s & (s - 1)) != 0)
            throw new ArgumentException($"butterfly size S={s} is not a power of two");
        if (s < 2)
            throw new ArgumentException($"butterfly size S={s} must be at least 2");
        int log2S = System.Numerics.BitOperations.Log2((uint)s);
        if (factors < 1 || factors > log2S)
            throw new ArgumentException($"number of factors F={factors} is outside [1, log2 S] = [1, {log2S}] for S={s}");
        if (options.GlobalSize < 0)
            throw new ArgumentException($"global size must be >= 0, got {options.GlobalSize}");
        if (outExt % s != 0)
            throw new ArgumentException(
                $"padded rows {outExt} (rows {rows} rounded up to block size {blockSize}) are not a multiple of butterfly size S={s}; " +
                "choose rows, b and S so that ceil(rows/b)*b is a multiple of S");
        if (inExt % s != 0)
            throw new ArgumentException(
                $"padded cols {inExt} (cols {cols} rounded up to block size {blockSize}) are not a multiple of butterfly size S={s}; " +
                "choose cols, b and S so that ceil(cols/b)*b is a multiple of S");

        int b = blockSize;
        int blockRows = outExt / b, blockCols = inExt / b;
        if (options.Tile && blockRows % blockCols != 0 && blockCols % blockRows != 0)
            throw new ArgumentException(
                $"tiling needs one block count to divide the other, got {blockRows}x{blockCols} blocks ({outExt}x{inExt} padded, b={b}); use stretch (Tile = false)");

        int[][] maskCols = FlatButterflyMaskColumns(s, factors, options.Shuffle);
        long fo = outExt / s, fi = inExt / s; // pixel edges in elements
        var rowsOut = new int[blockRows][];
        var intervals = new List<(int Lo, int Hi)>();
        long prevI0 = -1, prevI1 = -1;
        for (int p = 0; p < blockRows; p++)
        {
            // Pixel rows touched by element rows [p·b, p·b + b).
            long i0 = (long)p * b / fo, i1 = ((long)p * b + b - 1) / fo;
            if (i0 == prevI0 && i1 == prevI1)
            {
                rowsOut[p] = rowsOut[p - 1];
                continue;
            }
            intervals.Clear();
            for (long i = i0; i <= i1; i++)
                foreach (int j in maskCols[i])
                    intervals.Add(((int)(j * fi / b), (int)(((j + 1) * fi - 1) / b)));
            rowsOut[p] = MergeIntervals(intervals);
            (prevI0, prevI1) = (i0, i1);
        }

        if (options.Tile)
            rowsOut = TileStretchedRows(rowsOut, blockRows, blockCols);

        if (options.GlobalSize > 0)
        {
            long globalBlocks = ((long)options.GlobalSize + b - 1) / b;
            int gRows = (int)Math.Min(blockRows, globalBlocks), gCols = (int)Math.Min(blockCols, globalBlocks);
            for (int p = 0; p < blockRows; p++)
                rowsOut[p] = p < gRows ? Enumerable.Range(0, blockCols).ToArray() : PrependRange(rowsOut[p], gCols);
        }
        return FromSortedBlockRows(outExt, inExt, b, rowsOut);
    }

    /// <summary>All blocks of the (rows × cols) matrix padded up to multiples of <paramref name="blockSize"/>.</summary>
    public static BlockLayout Dense(int rows, int cols, int blockSize)
    {
        var (outExt, inExt) = PadToBlocks(rows, cols, blockSize);
        int[] all = Enumerable.Range(0, inExt / blockSize).ToArray();
        var rowsOut = new int[outExt / blockSize][];
        Array.Fill(rowsOut, all);
        return FromSortedBlockRows(outExt, inExt, blockSize, rowsOut);
    }

    /// <summary>
    /// <paramref name="diagonalBlocks"/> dense tiles on the block diagonal of the padded matrix, each covering
    /// (BlockRows/n × BlockCols/n) blocks; n must divide both block counts.
    /// </summary>
    public static BlockLayout BlockDiagonal(int rows, int cols, int blockSize, int diagonalBlocks)
    {
        var (outExt, inExt) = PadToBlocks(rows, cols, blockSize);
        int blockRows = outExt / blockSize, blockCols = inExt / blockSize, n = diagonalBlocks;
        if (n < 1)
            throw new ArgumentException($"number of diagonal tiles must be positive, got {n}");
        if (blockRows % n != 0 || blockCols % n != 0)
            throw new ArgumentException(
                $"{n} diagonal tiles do not divide the {blockRows}x{blockCols} block grid ({outExt}x{inExt} padded, b={blockSize})");
        int tileRows = blockRows / n, tileCols = blockCols / n;
        var rowsOut = new int[blockRows][];
        for (int t = 0; t < n; t++)
        {
            int[] tileColumns = Enumerable.Range(t * tileCols, tileCols).ToArray();
            for (int p = t * tileRows; p < (t + 1) * tileRows; p++)
                rowsOut[p] = tileColumns;
        }
        return FromSortedBlockRows(outExt, inExt, blockSize, rowsOut);
    }

    /// <summary>
    /// Each block of the padded matrix kept independently with probability <paramref name="density"/>. Reproducible
    /// everywhere: SplitMix64 seeded with <paramref name="seed"/> draws one uint64 x per block in row-major block
    /// order, and the block is kept iff (x &gt;&gt; 11) · 2^-53 &lt; density.
    /// </summary>
    public static BlockLayout Random(int rows, int cols, int blockSize, double density, ulong seed)
    {
        var (outExt, inExt) = PadToBlocks(rows, cols, blockSize);
        if (!(density >= 0.0 && density <= 1.0)) // also rejects NaN
            throw new ArgumentException($"density must be in [0, 1], got {density}");
        int blockRows = outExt / blockSize, blockCols = inExt / blockSize;
        ulong state = seed;
        var rowsOut = new int[blockRows][];
        var kept = new List<int>();
        for (int p = 0; p < blockRows; p++)
        {
            kept.Clear();
            for (int q = 0; q < blockCols; q++)
                if (SplitMix64.ToUnitInterval(SplitMix64.Next(ref state)) < density)
                    kept.Add(q);
            rowsOut[p] = kept.ToArray();
        }
        return FromSortedBlockRows(outExt, inExt, blockSize, rowsOut);
    }

    /// <summary>
    /// Layout of an explicit element mask [rows, cols] (logical size), padded up to multiples of
    /// <paramref name="blockSize"/>; a block is stored iff any of its elements is set.
    /// </summary>
    public static BlockLayout FromElementMask(bool[,] mask, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int rows = mask.GetLength(0), cols = mask.GetLength(1);
        var (outExt, inExt) = PadToBlocks(rows, cols, blockSize);
        var blocks = new bool[outExt / blockSize, inExt / blockSize];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                if (mask[r, c]) blocks[r / blockSize, c / blockSize] = true;
        return FromMask(blocks, blockSize);
    }

    // Validates logical sizes and b, returns the padded sizes ceil(n/b)·b.
    private static (int OutExt, int InExt) PadToBlocks(int rows, int cols, int blockSize)
    {
        if (blockSize <= 0)
            throw new ArgumentException($"block size must be positive, got {blockSize}");
        if (rows <= 0 || cols <= 0)
            throw new ArgumentException($"matrix size must be positive, got {rows}x{cols}");
        long outExt = ((long)rows + blockSize - 1) / blockSize * blockSize;
        long inExt = ((long)cols + blockSize - 1) / blockSize * blockSize;
        if (outExt > int.MaxValue || inExt > int.MaxValue)
            throw new ArgumentException($"matrix size {rows}x{cols} padded to block size {blockSize} ({outExt}x{inExt}) exceeds int.MaxValue");
        return ((int)outExt, (int)inExt);
    }

    // For each mask row r, the ascending columns c with M[r, c] = 1: (r XOR c) ∈ {0, 2^k : k < F}, then shuffled.
    private static int[][] FlatButterflyMaskColumns(int s, int factors, bool shuffle)
    {
        // einops '(group c) -> (c group)' with group = g: old column grp·(S/g) + c moves to c·g + grp.
        int g = s >> factors, perGroup = s / g;
        var result = new int[s][];
        for (int r = 0; r < s; r++)
        {
            var row = new int[factors + 1];
            row[0] = r;
            for (int k = 0; k < factors; k++)
                row[k + 1] = r ^ (1 << k);
            if (shuffle)
                for (int i = 0; i < row.Length; i++)
                    row[i] = row[i] % perGroup * g + row[i] / perGroup;
            Array.Sort(row);
            result[r] = row;
        }
        return result;
    }

    // Sorted, distinct block columns covered by the union of closed intervals.
    private static int[] MergeIntervals(List<(int Lo, int Hi)> intervals)
    {
        intervals.Sort();
        var cols = new List<int>();
        int next = 0; // first column not yet emitted; intervals come sorted by Lo
        foreach (var (lo, hi) in intervals)
        {
            for (int q = Math.Max(lo, next); q <= hi; q++)
                cols.Add(q);
            next = Math.Max(next, hi + 1);
        }
        return cols.ToArray();
    }

    // RuLeanALBERT's stretch=False: layout.view(A, ratio, C).permute(1, 0, 2) for tall, the column analogue for wide.
    private static int[][] TileStretchedRows(int[][] stretched, int blockRows, int blockCols)
    {
        if (blockRows > blockCols)
        {
            int ratio = blockRows / blockCols, a = blockRows / ratio;
            var tiled = new int[blockRows][];
            for (int r = 0; r < ratio; r++)
                for (int i = 0; i < a; i++)
                    tiled[r * a + i] = stretched[i * ratio + r];
            return tiled;
        }
        if (blockCols > blockRows)
        {
            int ratio = blockCols / blockRows, a = blockCols / ratio;
            var tiled = new int[blockRows][];
            for (int p = 0; p < blockRows; p++)
            {
                // Old column j·ratio + r lands at r·a + j.
                var row = stretched[p].Select(c => c % ratio * a + c / ratio).ToArray();
                Array.Sort(row);
                tiled[p] = row;
            }
            return tiled;
        }
        return stretched;
    }

    // Columns [0, count) ∪ sorted.
    private static int[] PrependRange(int[] sorted, int count)
    {
        var result = new List<int>(count + sorted.Length);
        for (int q = 0; q < count; q++) result.Add(q);
        foreach (int q in sorted)
            if (q >= count) result.Add(q);
        return result.ToArray();
    }

    private static BlockLayout FromSortedBlockRows(int rows, int cols, int blockSize, int[][] blockRowCols)
    {
        var rowPtr = new int[blockRowCols.Length + 1];
        long total = 0;
        for (int p = 0; p < blockRowCols.Length; p++)
        {
            total += blockRowCols[p].Length;
            if (total > Array.MaxLength)
                throw new ArgumentException($"layout {rows}x{cols} with b={blockSize} has more stored blocks than an array can hold");
            rowPtr[p + 1] = (int)total;
        }
        var colIdx = new int[total];
        for (int p = 0; p < blockRowCols.Length; p++)
            blockRowCols[p].CopyTo(colIdx, rowPtr[p]);
        return new BlockLayout(rows, cols, blockSize, rowPtr, colIdx);
    }
}

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014; Vigna's reference constants): a tiny PRNG whose sequence is fixed by
/// its definition, unlike <see cref="System.Random"/>, so random layouts reproduce across runtimes.
/// </summary>
internal static class SplitMix64
{
    /// <summary>Advances <paramref name="state"/> and returns the next 64-bit output.</summary>
    public static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The top 53 bits as a double in [0, 1).</summary>
    public static double ToUnitInterval(ulong x) => (x >> 11) * (1.0 / (1UL << 53));
}
