using Pixelfly.Devices;
using Pixelfly.Backends.Cpu.Threading;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Row gather: out[i] = table[idx[i]] (rows of 4-byte cells). An index outside [0, V) throws
/// <see cref="InvalidOperationException"/> naming its position and value.
/// </summary>
internal sealed unsafe class GatherKernel : Kernel, IParallelWork
{
    private readonly int _table, _indices, _y;
    private readonly int _tableRows;
    private readonly long _count, _rowLength;
    private readonly RowChunking _chunks;
    private int* _pt, _pi, _py;

    public GatherKernel(int table, int indices, int y, int tableRows, long count, long rowLength)
    {
        (_table, _indices, _y, _tableRows, _count, _rowLength) = (table, indices, y, tableRows, count, rowLength);
        _chunks = new RowChunking(count, 1, (int)Math.Max(1, RowChunking.Grain / Math.Max(1, rowLength)));
    }

    public override string Describe() => $"gather {_count} rows of {_rowLength} from [{_tableRows}] ({_chunks})";

    public override void Execute(RunContext ctx)
    {
        _pt = ctx.I(_table);
        _pi = ctx.I(_indices);
        _py = ctx.I(_y);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, _, _) = _chunks.Range(chunk);
        for (long i = r0; i < r1; i++)
        {
            int k = _pi[i];
            if ((uint)k >= (uint)_tableRows)
                throw new ExecutionException($"gather: index {k} at position {i} is outside [0, {_tableRows}) (the table's first dimension)");
            SimdMath.Copy(_pt + k * _rowLength, _py + i * _rowLength, _rowLength);
        }
    }
}

/// <summary>
/// Scatter-add into zeros: out[idx[i]] += updates[i]. Deterministic: the sources are bucketed by destination row
/// (a stable counting sort, so each row adds its sources in ascending i) and chunks own destination rows. An index
/// outside [0, Rows) throws naming its position and value.
/// </summary>
internal sealed unsafe class ScatterAddKernel : Kernel, IParallelWork
{
    private readonly int _indices, _updates, _y;
    private readonly int _rows;
    private readonly int _count;
    private readonly int _rowLength;
    private readonly bool _wide;
    private readonly int[] _start;   // per destination row: first slot in _order (Rows + 1 entries)
    private readonly int[] _order;   // source positions, grouped by destination
    private readonly int[] _next;    // fill cursor per destination row
    private readonly RowChunking _chunks;
    private int* _pi;
    private float* _pu, _py;

    public ScatterAddKernel(int indices, int updates, int y, int rows, int count, int rowLength, bool wide)
    {
        (_indices, _updates, _y, _rows, _count, _rowLength, _wide) = (indices, updates, y, rows, count, rowLength, wide);
        _start = new int[rows + 1];
        _order = new int[count];
        _next = new int[rows];
        _chunks = new RowChunking(rows, 1, Math.Max(1, RowChunking.Grain / Math.Max(1, rowLength)));
    }

    public override string Describe() => $"scatter_add {_count} rows of {_rowLength} into [{_rows}] (bucketed by destination, {_chunks})";

    public override void Execute(RunContext ctx)
    {
        _pi = ctx.I(_indices);
        _pu = ctx.F(_updates);
        _py = ctx.F(_y);
        Array.Clear(_start);
        for (int i = 0; i < _count; i++)
        {
            int k = _pi[i];
            if ((uint)k >= (uint)_rows)
                throw new ExecutionException($"scatter_add: index {k} at position {i} is outside [0, {_rows}) (the output rows)");
            _start[k + 1]++;
        }
        for (int r = 0; r < _rows; r++) _start[r + 1] += _start[r];
        Array.Copy(_start, _next, _rows);
        for (int i = 0; i < _count; i++) _order[_next[_pi[i]]++] = i;
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, _, _) = _chunks.Range(chunk);
        for (long r = r0; r < r1; r++)
        {
            float* y = _py + r * _rowLength;
            int s0 = _start[r], s1 = _start[r + 1];
            SimdMath.Zero(y, _rowLength);
            for (int s = s0; s < s1; s++) SimdMath.AddInto(y, _pu + (long)_order[s] * _rowLength, _rowLength, _wide);
        }
    }
}
