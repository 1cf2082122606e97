using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Data movement on 4-byte cells (f32 or i32 bits): transpose, slice, broadcast_to and reshape are one strided
/// copy — output in row-major order, the input read through per-dimension strides prepared at compile time (dims
/// of size 1 dropped, neighbours that stay linear merged). Contiguous rows are block-copied.
/// </summary>
internal sealed unsafe class StridedCopyKernel : Kernel, IParallelWork
{
    private readonly string _name;
    private readonly int _x, _y;
    private readonly int[] _outer;
    private readonly long[] _outerStrides;
    private readonly int _inner;
    private readonly long _innerStride;
    private readonly long _baseOffset;
    private readonly RowChunking _chunks;
    private int* _px, _py;

    private StridedCopyKernel(string name, int x, int y, int[] dims, long[] strides, long baseOffset)
    {
        (_name, _x, _y, _baseOffset) = (name, x, y, baseOffset);
        var d = new List<int>();
        var s = new List<long>();
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == 1) continue;
            if (d.Count > 0 && s[^1] == strides[i] * dims[i])
            {
                d[^1] *= dims[i];
                s[^1] = strides[i];
                continue;
            }
            d.Add(dims[i]);
            s.Add(strides[i]);
        }
        if (dims.Any(v => v == 0)) { d = [0]; s = [1]; }
        if (d.Count == 0) { d = [1]; s = [1]; }
        _outer = d.ToArray()[..^1];
        _outerStrides = s.ToArray()[..^1];
        _inner = d[^1];
        _innerStride = s[^1];
        long rows = 1;
        foreach (int v in _outer) rows *= v;
        _chunks = new RowChunking(rows, _inner);
    }

    /// <summary>y = transpose(x, perm).</summary>
    public static StridedCopyKernel Transpose(int x, int y, Shape input, int[] perm)
    {
        var inStrides = input.Strides();
        return new("transpose", x, y, perm.Select(p => input[p]).ToArray(), perm.Select(p => (long)inStrides[p]).ToArray(), 0);
    }

    /// <summary>y = x[begin..end).</summary>
    public static StridedCopyKernel Slice(int x, int y, Shape input, int[] begin, int[] end)
    {
        var inStrides = input.Strides();
        long offset = 0;
        for (int d = 0; d < input.Rank; d++) offset += (long)begin[d] * inStrides[d];
        return new("slice", x, y, Enumerable.Range(0, input.Rank).Select(d => end[d] - begin[d]).ToArray(), inStrides.Select(v => (long)v).ToArray(), offset);
    }

    /// <summary>y = broadcast_to(x, output).</summary>
    public static StridedCopyKernel Broadcast(int x, int y, Shape input, Shape output)
    {
        var inStrides = input.Strides();
        var strides = new long[output.Rank];
        for (int d = 0; d < output.Rank; d++)
        {
            int id = d - (output.Rank - input.Rank);
            strides[d] = id < 0 || input[id] == 1 ? 0 : inStrides[id];
        }
        return new("broadcast_to", x, y, output.ToArray(), strides, 0);
    }

    /// <summary>y = x as a flat copy (reshape that could not alias).</summary>
    public static StridedCopyKernel Copy(string name, int x, int y, long count) =>
        new(name, x, y, [checked((int)count)], [1], 0);

    public override string Describe() =>
        $"{_name} copy [{string.Join(",", _outer.Append(_inner))}] strides [{string.Join(",", _outerStrides.Append(_innerStride))}] ({_chunks})";

    public override void Execute(RunContext ctx)
    {
        _px = ctx.I(_x) + _baseOffset;
        _py = ctx.I(_y);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, c0, c1) = _chunks.Range(chunk);
        int n = c1 - c0;
        for (long r = r0; r < r1; r++)
        {
            long offset = 0, rest = r;
            for (int d = _outer.Length - 1; d >= 0; d--)
            {
                offset += rest % _outer[d] * _outerStrides[d];
                rest /= _outer[d];
            }
            int* x = _px + offset + c0 * _innerStride;
            int* y = _py + r * _inner + c0;
            if (_innerStride == 1) SimdMath.Copy(x, y, n);
            else if (_innerStride == 0) new Span<int>(y, n).Fill(*x);
            else
                for (int i = 0; i < n; i++) y[i] = x[i * _innerStride];
        }
    }
}

/// <summary>Zero padding: each output row is zeros, or zeros around one copied input row.</summary>
internal sealed unsafe class PadKernel : Kernel, IParallelWork
{
    private readonly int _x, _y;
    private readonly int[] _outDims, _inDims, _begin;
    private readonly int[] _inStrides;
    private readonly int _outInner, _inInner, _innerBegin;
    private readonly RowChunking _chunks;
    private int* _px, _py;

    public PadKernel(int x, int y, Shape input, int[] begin, int[] end)
    {
        (_x, _y) = (x, y);
        // A scalar pads nothing; view it as [1] so there is a row.
        _inDims = input.Rank == 0 ? [1] : input.ToArray();
        _begin = input.Rank == 0 ? [0] : begin;
        _outDims = _inDims.Select((d, i) => d + _begin[i] + (input.Rank == 0 ? 0 : end[i])).ToArray();
        _inStrides = new Shape(_inDims).Strides();
        _outInner = _outDims[^1];
        _inInner = _inDims[^1];
        _innerBegin = _begin[^1];
        long rows = 1;
        for (int d = 0; d < _outDims.Length - 1; d++) rows *= _outDims[d];
        _chunks = new RowChunking(rows, _outInner);
    }

    public override string Describe() =>
        $"pad [{string.Join(",", _inDims)}] -> [{string.Join(",", _outDims)}] ({_chunks})";

    public override void Execute(RunContext ctx)
    {
        _px = ctx.I(_x);
        _py = ctx.I(_y);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, c0, c1) = _chunks.Range(chunk);
        for (long r = r0; r < r1; r++)
        {
            int* y = _py + r * _outInner;
            long inOffset = 0, rest = r;
            bool inside = true;
            for (int d = _outDims.Length - 2; d >= 0; d--)
            {
                int o = (int)(rest % _outDims[d]);
                rest /= _outDims[d];
                int i = o - _begin[d];
                if (i < 0 || i >= _inDims[d]) inside = false;
                inOffset += (long)i * _inStrides[d];
            }
            // Columns [c0, c1) of this row: zeros, except the input's span [innerBegin, innerBegin + inInner).
            int copyFrom = inside ? Math.Max(c0, _innerBegin) : c1;
            int copyTo = inside ? Math.Min(c1, _innerBegin + _inInner) : c1;
            if (copyTo < copyFrom) copyTo = copyFrom = c1;
            new Span<int>(y + c0, copyFrom - c0).Clear();
            if (copyTo > copyFrom) SimdMath.Copy(_px + inOffset + (copyFrom - _innerBegin), y + copyFrom, copyTo - copyFrom);
            new Span<int>(y + copyTo, c1 - copyTo).Clear();
        }
    }
}

/// <summary>Concatenation along an axis: each output row [outer] is the inputs' rows laid side by side.</summary>
internal sealed unsafe class ConcatKernel : Kernel, IParallelWork
{
    private readonly int[] _inputs;
    private readonly int _y;
    private readonly long _outer;
    private readonly long[] _widths;   // per input: axis size × inner
    private readonly long _total;
    private readonly RowChunking _chunks;
    private readonly nint[] _pointers;
    private int* _py;

    public ConcatKernel(int[] inputs, Shape[] shapes, int y, int axis)
    {
        (_inputs, _y) = (inputs, y);
        long outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shapes[0][d];
        for (int d = axis + 1; d < shapes[0].Rank; d++) inner *= shapes[0][d];
        _outer = outer;
        _widths = shapes.Select(s => s[axis] * inner).ToArray();
        _total = _widths.Sum();
        _pointers = new nint[inputs.Length];
        _chunks = new RowChunking(outer, 1, (int)Math.Max(1, RowChunking.Grain / Math.Max(1, _total)));
    }

    public override string Describe() => $"concat {_inputs.Length} inputs, {_outer} rows of [{string.Join(",", _widths)}] ({_chunks})";

    public override void Execute(RunContext ctx)
    {
        for (int i = 0; i < _inputs.Length; i++) _pointers[i] = (nint)ctx.I(_inputs[i]);
        _py = ctx.I(_y);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, _, _) = _chunks.Range(chunk);
        for (long r = r0; r < r1; r++)
        {
            int* y = _py + r * _total;
            for (int i = 0; i < _inputs.Length; i++)
            {
                SimdMath.Copy((int*)_pointers[i] + r * _widths[i], y, _widths[i]);
                y += _widths[i];
            }
        }
    }
}
