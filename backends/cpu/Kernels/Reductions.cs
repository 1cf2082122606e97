using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// reduce_sum / reduce_mean / reduce_max. The input shape is canonicalised (size-1 axes dropped, neighbouring
/// kept or reduced axes merged) into one of: [K, R] (row reduction, SIMD along the row), [K1, R, K2] (rows of K2
/// accumulated R times, SIMD across K2), or a general alternating pattern (an offset table over the reduced
/// positions). Each output element is owned by one chunk and summed in a fixed order.
/// </summary>
internal sealed unsafe class ReduceKernel : Kernel, IParallelWork
{
    private enum Pattern { Rows, Columns, General }

    private const int MinColumnSegment = 128;

    private readonly ReduceKind _kind;
    private readonly int _x, _y;
    private readonly bool _wide;
    private readonly Pattern _pattern;
    private readonly long _outer;      // K (Rows) or K1 (Columns)
    private readonly int _reduce;      // R
    private readonly int _inner;       // K2 (Columns)
    private readonly long _outputCount;
    private readonly int[] _keptDims = [];
    private readonly long[] _keptStrides = [];
    private readonly long[] _reducedOffsets = [];
    private readonly RowChunking _chunks;
    private float* _px, _py;

    public ReduceKernel(ReduceKind kind, int x, int y, Shape input, int[] axes, bool wide)
    {
        (_kind, _x, _y, _wide) = (kind, x, y, wide);
        // Canonical groups: (size, reduced?) with size-1 axes dropped and equal neighbours merged.
        var groups = new List<(long Size, bool Reduced)>();
        for (int d = 0; d < input.Rank; d++)
        {
            if (input[d] == 1) continue;
            bool r = Array.IndexOf(axes, d) >= 0;
            if (groups.Count > 0 && groups[^1].Reduced == r) groups[^1] = (groups[^1].Size * input[d], r);
            else groups.Add((input[d], r));
        }
        long reduced = 1, kept = 1;
        foreach (var g in groups)
        {
            if (g.Reduced) reduced *= g.Size;
            else kept *= g.Size;
        }
        if (input.ElementCount == 0)
        {
            // Some axis is empty: either nothing is kept (no output) or nothing is reduced (sum 0, mean NaN).
            foreach (int a in axes) reduced *= input[a] == 0 ? 0 : 1;
            kept = 1;
            for (int d = 0; d < input.Rank; d++)
                if (Array.IndexOf(axes, d) < 0) kept *= input[d];
            groups = [(kept, false), (0, true)];
        }
        _outputCount = kept;
        if (groups.Count == 0 || !groups.Any(g => g.Reduced))
        {
            (_pattern, _outer, _reduce, _inner) = (Pattern.Rows, kept, 1, 1);
        }
        else if (groups.Count <= 2 && groups[^1].Reduced)
        {
            (_pattern, _outer, _reduce, _inner) = (Pattern.Rows, groups.Count == 2 ? groups[0].Size : 1, checked((int)groups[^1].Size), 1);
        }
        else if (groups.Count <= 3 && (groups.Count == 2 ? groups[0].Reduced : groups[1].Reduced))
        {
            int ri = groups.Count == 2 ? 0 : 1;
            (_pattern, _outer, _reduce, _inner) = (Pattern.Columns, ri == 0 ? 1 : groups[0].Size, checked((int)groups[ri].Size), checked((int)groups[^1].Size));
        }
        else
        {
            _pattern = Pattern.General;
            _reduce = checked((int)reduced);
            (_keptDims, _keptStrides, _reducedOffsets) = GeneralTables(groups);
        }
        // Column reductions walk R rows of a column segment: segments of at least MinColumnSegment floats keep every
        // row read a run of whole cache lines (a few columns per chunk would read one float per line).
        _chunks = _pattern == Pattern.Columns
            ? new RowChunking(_outer, _inner, Math.Max(MinColumnSegment, RowChunking.Grain / Math.Max(1, _reduce)))
            : new RowChunking(_outputCount, 1, Math.Max(1, RowChunking.Grain / Math.Max(1, _reduce)));
    }

    private static (int[] keptDims, long[] keptStrides, long[] reducedOffsets) GeneralTables(List<(long Size, bool Reduced)> groups)
    {
        var strides = new long[groups.Count];
        long s = 1;
        for (int i = groups.Count - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= groups[i].Size;
        }
        var keptDims = new List<int>();
        var keptStrides = new List<long>();
        var offsets = new List<long> { 0 };
        for (int i = 0; i < groups.Count; i++)
        {
            if (!groups[i].Reduced)
            {
                keptDims.Add(checked((int)groups[i].Size));
                keptStrides.Add(strides[i]);
                continue;
            }
            // Offsets in row-major order of the reduced axes: the outer reduced group varies slowest.
            var next = new List<long>(checked((int)(offsets.Count * groups[i].Size)));
            foreach (long o in offsets)
                for (long j = 0; j < groups[i].Size; j++) next.Add(o + j * strides[i]);
            offsets = next;
        }
        return (keptDims.ToArray(), keptStrides.ToArray(), offsets.ToArray());
    }

    public override string Describe() => _pattern switch
    {
        Pattern.Rows => $"reduce_{_kind.ToString().ToLowerInvariant()} rows [{_outer}, {_reduce}] ({_chunks})",
        Pattern.Columns => $"reduce_{_kind.ToString().ToLowerInvariant()} columns [{_outer}, {_reduce}, {_inner}] ({_chunks})",
        _ => $"reduce_{_kind.ToString().ToLowerInvariant()} general kept [{string.Join(",", _keptDims)}] x {_reduce} offsets ({_chunks})",
    };

    public override void Execute(RunContext ctx)
    {
        _px = ctx.F(_x);
        _py = ctx.F(_y);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, c0, c1) = _chunks.Range(chunk);
        switch (_pattern)
        {
            case Pattern.Rows:
                for (long o = r0; o < r1; o++) _py[o] = Finish(ReduceRow(_px + o * _reduce, _reduce));
                break;
            case Pattern.Columns:
                for (long o = r0; o < r1; o++) ReduceColumns(o, c0, c1);
                break;
            default:
                for (long o = r0; o < r1; o++) _py[o] = Finish(ReduceGeneral(o));
                break;
        }
    }

    private float ReduceRow(float* row, int n) => _kind == ReduceKind.Max ? SimdMath.Max(row, n, _wide) : SimdMath.Sum(row, n, _wide);

    private float Finish(float v) => _kind == ReduceKind.Mean ? v / _reduce : v;

    private void ReduceColumns(long outer, int c0, int c1)
    {
        int n = c1 - c0;
        float* y = _py + outer * _inner + c0;
        float* x = _px + outer * _reduce * (long)_inner + c0;
        if (_reduce == 0)
        {
            SimdMath.Fill(y, _kind == ReduceKind.Mean ? float.NaN : 0f, n);
            return;
        }
        SimdMath.Copy(x, y, n);
        for (int r = 1; r < _reduce; r++)
        {
            if (_kind == ReduceKind.Max) SimdMath.MaxInto(y, x + (long)r * _inner, n, _wide);
            else SimdMath.AddInto(y, x + (long)r * _inner, n, _wide);
        }
        if (_kind == ReduceKind.Mean)
            for (int i = 0; i < n; i++) y[i] /= _reduce;
    }

    private float ReduceGeneral(long output)
    {
        long baseOffset = 0, rest = output;
        for (int d = _keptDims.Length - 1; d >= 0; d--)
        {
            baseOffset += rest % _keptDims[d] * _keptStrides[d];
            rest /= _keptDims[d];
        }
        float* x = _px + baseOffset;
        if (_kind == ReduceKind.Max)
        {
            float m = float.NegativeInfinity;
            foreach (long off in _reducedOffsets) m = MathF.Max(m, x[off]);
            return m;
        }
        float s = 0;
        foreach (long off in _reducedOffsets) s += x[off];
        return s;
    }
}
