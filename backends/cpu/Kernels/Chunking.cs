namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Splits rows × columns of work into chunks of about <see cref="Grain"/> elements. The split depends on the shape
/// only, never on the thread count, so every element is computed the same way however many workers run.
/// </summary>
internal readonly struct RowChunking
{
    /// <summary>Target elements per chunk.</summary>
    public const int Grain = 16384;

    private readonly long _rows;
    private readonly int _cols;
    private readonly long _rowsPerChunk;
    private readonly int _segmentsPerRow;
    private readonly int _segment;

    public RowChunking(long rows, int cols, int grain = Grain)
    {
        _rows = rows;
        _cols = cols;
        if (rows == 0 || cols == 0)
        {
            Count = 0;
            return;
        }
        if (cols >= grain)
        {
            _segmentsPerRow = (cols + grain - 1) / grain;
            _segment = (cols + _segmentsPerRow - 1) / _segmentsPerRow;
            _rowsPerChunk = 1;
            Count = checked((int)(rows * _segmentsPerRow));
        }
        else
        {
            _segmentsPerRow = 1;
            _segment = cols;
            _rowsPerChunk = Math.Max(1, grain / cols);
            Count = checked((int)((rows + _rowsPerChunk - 1) / _rowsPerChunk));
        }
    }

    /// <summary>Number of chunks.</summary>
    public int Count { get; }

    /// <summary>Rows [RowStart, RowEnd) and columns [ColStart, ColEnd) of a chunk.</summary>
    public (long RowStart, long RowEnd, int ColStart, int ColEnd) Range(int chunk)
    {
        if (_segmentsPerRow > 1)
        {
            long row = chunk / _segmentsPerRow;
            int seg = chunk % _segmentsPerRow;
            int c0 = seg * _segment;
            return (row, row + 1, c0, Math.Min(_cols, c0 + _segment));
        }
        long r0 = chunk * _rowsPerChunk;
        return (r0, Math.Min(_rows, r0 + _rowsPerChunk), 0, _cols);
    }

    public override string ToString() => $"{Count} chunk(s)";
}
