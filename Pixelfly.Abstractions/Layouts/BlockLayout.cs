using System.Text;

namespace Pixelfly.Layouts;

/// <summary>
/// A block-sparse layout: which b×b blocks of a (Rows × Cols) matrix are stored. Rows and Cols are the padded
/// sizes (multiples of b). Stored as block-CSR (row pointers, ascending column indices per block row); the
/// CSC transpose index (for the backward pass) is derived. Sparse tensors holding this layout have shape
/// [..., NnzBlocks, b, b] with blocks in block-CSR order, block element [i, j] = W[p·b+i, q·b+j].
/// </summary>
public sealed partial class BlockLayout : IEquatable<BlockLayout>
{
    private readonly int[] _rowPtr;
    private readonly int[] _colIdx;
    private readonly int[] _colPtr;
    private readonly int[] _cscRowIdx;
    private readonly int[] _cscBlock;

    /// <summary>Builds a layout from block-CSR data; throws <see cref="ArgumentException"/> on any inconsistency.</summary>
    public BlockLayout(int rows, int cols, int blockSize, int[] rowPtr, int[] colIdx)
    {
        ArgumentNullException.ThrowIfNull(rowPtr);
        ArgumentNullException.ThrowIfNull(colIdx);
        if (blockSize <= 0)
            throw new ArgumentException($"block size must be positive, got {blockSize}");
        if (rows <= 0 || cols <= 0)
            throw new ArgumentException($"layout size must be positive, got {rows}x{cols}");
        if (rows % blockSize != 0 || cols % blockSize != 0)
            throw new ArgumentException($"layout size {rows}x{cols} is not a multiple of block size {blockSize} (pad rows and columns up to multiples of b)");
        int blockRows = rows / blockSize, blockCols = cols / blockSize;
        if (rowPtr.Length != blockRows + 1)
            throw new ArgumentException($"rowPtr has {rowPtr.Length} entries, expected blockRows + 1 = {blockRows + 1}");
        if (rowPtr[0] != 0)
            throw new ArgumentException($"rowPtr[0] must be 0, got {rowPtr[0]}");
        if (rowPtr[blockRows] != colIdx.Length)
            throw new ArgumentException($"rowPtr[{blockRows}] = {rowPtr[blockRows]} but colIdx has {colIdx.Length} entries");
        for (int p = 0; p < blockRows; p++)
        {
            if (rowPtr[p + 1] < rowPtr[p])
                throw new ArgumentException($"rowPtr decreases at block row {p}: {rowPtr[p]} > {rowPtr[p + 1]}");
            for (int k = rowPtr[p]; k < rowPtr[p + 1]; k++)
            {
                int q = colIdx[k];
                if (q < 0 || q >= blockCols)
                    throw new ArgumentException($"colIdx[{k}] = {q} in block row {p} is outside [0, {blockCols})");
                if (k > rowPtr[p] && colIdx[k - 1] >= q)
                    throw new ArgumentException($"column indices of block row {p} are not strictly ascending ({colIdx[k - 1]} then {q})");
            }
        }
        Rows = rows;
        Cols = cols;
        BlockSize = blockSize;
        _rowPtr = (int[])rowPtr.Clone();
        _colIdx = (int[])colIdx.Clone();
        (_colPtr, _cscRowIdx, _cscBlock) = BuildTranspose(blockRows, blockCols, _rowPtr, _colIdx);
    }

    /// <summary>Padded row count (a multiple of <see cref="BlockSize"/>).</summary>
    public int Rows { get; }

    /// <summary>Padded column count (a multiple of <see cref="BlockSize"/>).</summary>
    public int Cols { get; }

    /// <summary>Block edge b.</summary>
    public int BlockSize { get; }

    /// <summary>Rows / b.</summary>
    public int BlockRows => Rows / BlockSize;

    /// <summary>Cols / b.</summary>
    public int BlockCols => Cols / BlockSize;

    /// <summary>Number of stored blocks.</summary>
    public int NnzBlocks => _colIdx.Length;

    /// <summary>Fraction of blocks stored.</summary>
    public double Density => (double)NnzBlocks / ((long)BlockRows * BlockCols);

    /// <summary>Block-CSR row pointers (BlockRows + 1 entries).</summary>
    public ReadOnlySpan<int> RowPtr => _rowPtr;

    /// <summary>Block-CSR column indices, ascending within each block row.</summary>
    public ReadOnlySpan<int> ColIdx => _colIdx;

    /// <summary>CSC column pointers (BlockCols + 1 entries).</summary>
    public ReadOnlySpan<int> ColPtr => _colPtr;

    /// <summary>CSC block-row indices, ascending within each block column.</summary>
    public ReadOnlySpan<int> CscRowIdx => _cscRowIdx;

    /// <summary>For each CSC entry, the index of that block in the block-CSR storage order.</summary>
    public ReadOnlySpan<int> CscBlockIndex => _cscBlock;

    /// <summary>True when block (p, q) is stored.</summary>
    public bool Contains(int blockRow, int blockCol) => IndexOf(blockRow, blockCol) >= 0;

    /// <summary>Storage index of block (p, q), or -1.</summary>
    public int IndexOf(int blockRow, int blockCol)
    {
        int lo = _rowPtr[blockRow], hi = _rowPtr[blockRow + 1];
        int i = Array.BinarySearch(_colIdx, lo, hi - lo, blockCol);
        return i >= 0 ? i : -1;
    }

    /// <summary>Block row of each stored block, in storage order.</summary>
    public int[] BlockRowOfEachBlock()
    {
        var rows = new int[NnzBlocks];
        for (int p = 0; p < BlockRows; p++)
            for (int k = _rowPtr[p]; k < _rowPtr[p + 1]; k++)
                rows[k] = p;
        return rows;
    }

    /// <summary>Builds a layout from a block mask [blockRows, blockCols].</summary>
    public static BlockLayout FromMask(bool[,] mask, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int br = mask.GetLength(0), bc = mask.GetLength(1);
        var rowPtr = new int[br + 1];
        var cols = new List<int>();
        for (int p = 0; p < br; p++)
        {
            for (int q = 0; q < bc; q++)
                if (mask[p, q]) cols.Add(q);
            rowPtr[p + 1] = cols.Count;
        }
        return new BlockLayout(br * blockSize, bc * blockSize, blockSize, rowPtr, cols.ToArray());
    }

    /// <summary>The block mask [BlockRows, BlockCols].</summary>
    public bool[,] ToMask()
    {
        var mask = new bool[BlockRows, BlockCols];
        for (int p = 0; p < BlockRows; p++)
            for (int k = _rowPtr[p]; k < _rowPtr[p + 1]; k++)
                mask[p, _colIdx[k]] = true;
        return mask;
    }

    /// <summary>The layout of the transposed matrix (Cols × Rows).</summary>
    public BlockLayout Transposed() => new(Cols, Rows, BlockSize, _colPtr, _cscRowIdx);

    /// <summary>ASCII art: one line per block row, '#' for a stored block, '.' otherwise.</summary>
    public string ToAsciiArt()
    {
        var sb = new StringBuilder();
        var mask = ToMask();
        for (int p = 0; p < BlockRows; p++)
        {
            for (int q = 0; q < BlockCols; q++)
                sb.Append(mask[p, q] ? '#' : '.');
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(BlockLayout? other) =>
        other is not null && Rows == other.Rows && Cols == other.Cols && BlockSize == other.BlockSize
        && _rowPtr.AsSpan().SequenceEqual(other._rowPtr) && _colIdx.AsSpan().SequenceEqual(other._colIdx);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BlockLayout l && Equals(l);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Rows); h.Add(Cols); h.Add(BlockSize); h.Add(NnzBlocks);
        foreach (int c in _colIdx) h.Add(c);
        return h.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"BlockLayout {Rows}x{Cols} b={BlockSize} ({BlockRows}x{BlockCols} blocks, {NnzBlocks} stored, density {Density:0.####})";

    private static (int[] colPtr, int[] rowIdx, int[] block) BuildTranspose(int blockRows, int blockCols, int[] rowPtr, int[] colIdx)
    {
        var colPtr = new int[blockCols + 1];
        foreach (int q in colIdx) colPtr[q + 1]++;
        for (int q = 0; q < blockCols; q++) colPtr[q + 1] += colPtr[q];
        var next = (int[])colPtr.Clone();
        var rowIdx = new int[colIdx.Length];
        var block = new int[colIdx.Length];
        for (int p = 0; p < blockRows; p++)
            for (int k = rowPtr[p]; k < rowPtr[p + 1]; k++)
            {
                int slot = next[colIdx[k]]++;
                rowIdx[slot] = p;
                block[slot] = k;
            }
        return (colPtr, rowIdx, block);
    }
}
