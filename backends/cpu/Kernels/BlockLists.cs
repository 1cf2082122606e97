using Pixelfly.Layouts;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Lookup tables for a block-sparse operand: for each output block line (a block row or block column of the
/// layout), the stored blocks that contribute to it, as (storage index of the block, index of the block along the
/// reduction). Built from the layout's CSR (per block row: (block, col)) or CSC index (per block col: (block, row)).
/// </summary>
internal sealed class BlockLists
{
    private BlockLists(int[] start, int[] block, int[] other)
    {
        Start = start;
        Block = block;
        Other = other;
    }

    /// <summary>Entries of line l are [Start[l], Start[l+1]).</summary>
    public int[] Start { get; }

    /// <summary>Storage index of the block (block-CSR order).</summary>
    public int[] Block { get; }

    /// <summary>The block's other coordinate: its column for row lists, its row for column lists.</summary>
    public int[] Other { get; }

    /// <summary>Number of lines.</summary>
    public int Lines => Start.Length - 1;

    /// <summary>Largest number of entries on one line.</summary>
    public int MaxEntries
    {
        get
        {
            int max = 0;
            for (int l = 0; l < Lines; l++) max = Math.Max(max, Start[l + 1] - Start[l]);
            return max;
        }
    }

    /// <summary>Entries of line l.</summary>
    public int Count(int line) => Start[line + 1] - Start[line];

    /// <summary>Per block row p: the stored blocks (p, q), ascending q.</summary>
    public static BlockLists ByRow(BlockLayout layout) =>
        new(layout.RowPtr.ToArray(), Enumerable.Range(0, layout.NnzBlocks).ToArray(), layout.ColIdx.ToArray());

    /// <summary>Per block column q: the stored blocks (p, q), ascending p, via the CSC index.</summary>
    public static BlockLists ByColumn(BlockLayout layout) =>
        new(layout.ColPtr.ToArray(), layout.CscBlockIndex.ToArray(), layout.CscRowIdx.ToArray());
}
