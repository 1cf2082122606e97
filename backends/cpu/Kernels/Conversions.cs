using System.Runtime.CompilerServices;
using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// Conversions between dtypes and the f32/i32 working cells: rounding to f16 (System.Half) and bf16
/// (round-to-nearest-even via BFloat16Bits), float → i32 truncation toward zero (NaN → 0, saturating as
/// DTypes.Round does), and the import/export of bound tensors (vectorised in <see cref="HalfConversions"/>).
/// </summary>
internal static unsafe class Conversions
{
    /// <summary>Rounds a float to what <paramref name="dtype"/> represents (f32 and i32 leave it unchanged).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RoundTo(DType dtype, float value) => dtype switch
    {
        DType.F16 => (float)(Half)value,
        DType.BF16 => BFloat16Bits.ToFloat(BFloat16Bits.FromFloat(value)),
        _ => value,
    };

    /// <summary>Float → i32: truncates toward zero, NaN gives 0, out-of-range saturates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ToInt32(float value) =>
        float.IsNaN(value) ? 0 : value >= 2147483648f ? int.MaxValue : value <= -2147483648f ? int.MinValue : (int)value;

    /// <summary>Converts a packed tensor of <paramref name="dtype"/> into working cells (f32, or i32 for I32).</summary>
    public static void Import(DType dtype, byte* source, float* cells, long count)
    {
        switch (dtype)
        {
            case DType.F32:
            case DType.I32:
                SimdMath.Copy(source, cells, count);
                break;
            case DType.F16:
                HalfConversions.HalfToSingle((Half*)source, cells, count);
                break;
            case DType.BF16:
                HalfConversions.BF16ToSingle((ushort*)source, cells, count);
                break;
            default:
                throw new InvalidOperationException($"the cpu backend does not hold {dtype.Name()} tensors");
        }
    }

    /// <summary>Converts working cells into a packed tensor of <paramref name="dtype"/> (rounding to nearest even).</summary>
    public static void Export(DType dtype, float* cells, byte* destination, long count)
    {
        switch (dtype)
        {
            case DType.F32:
            case DType.I32:
                SimdMath.Copy(cells, destination, count);
                break;
            case DType.F16:
                HalfConversions.SingleToHalf(cells, (Half*)destination, count);
                break;
            case DType.BF16:
                HalfConversions.SingleToBF16(cells, (ushort*)destination, count);
                break;
            default:
                throw new InvalidOperationException($"the cpu backend does not hold {dtype.Name()} tensors");
        }
    }
}

/// <summary>Rounds a node's f32 result in place to its f16/bf16 dtype, so every value holds what its dtype can.</summary>
internal sealed unsafe class RoundKernel(int value, DType dtype, long count) : Kernel, IParallelWork
{
    private readonly RowChunking _chunks = new(1, checked((int)count));
    private float* _x;

    public override string Describe() => $"round to {dtype.Name()} n={count}";

    public override void Execute(RunContext ctx)
    {
        _x = ctx.F(value);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (_, _, c0, c1) = _chunks.Range(chunk);
        if (dtype == DType.BF16)
            HalfConversions.RoundToBF16(_x + c0, c1 - c0);
        else
            HalfConversions.RoundToHalf(_x + c0, c1 - c0);
    }
}

/// <summary>Cast between dtypes on working cells; safe in place.</summary>
internal sealed unsafe class CastKernel(int input, DType from, int output, DType to, long count) : Kernel, IParallelWork
{
    private readonly RowChunking _chunks = new(1, checked((int)count));
    private void* _x, _y;

    public override string Describe() => $"cast {from.Name()} -> {to.Name()} n={count}";

    public override void Execute(RunContext ctx)
    {
        _x = ctx.F(input);
        _y = ctx.F(output);
        ctx.Pool.Run(this, _chunks.Count);
    }

    public void Execute(int chunk, int worker)
    {
        var (_, _, c0, c1) = _chunks.Range(chunk);
        if (from == DType.I32 && to == DType.I32)
        {
            SimdMath.Copy((int*)_x + c0, (int*)_y + c0, c1 - c0);
        }
        else if (from == DType.I32)
        {
            int* x = (int*)_x;
            float* y = (float*)_y;
            for (int i = c0; i < c1; i++) y[i] = Conversions.RoundTo(to, x[i]);
        }
        else if (to == DType.I32)
        {
            float* x = (float*)_x;
            int* y = (int*)_y;
            for (int i = c0; i < c1; i++) y[i] = Conversions.ToInt32(x[i]);
        }
        else
        {
            float* x = (float*)_x, y = (float*)_y;
            for (int i = c0; i < c1; i++) y[i] = Conversions.RoundTo(to, x[i]);
        }
    }
}

/// <summary>Fills a tensor with one value (already rounded to the dtype; i32 values stored as int cells).</summary>
internal sealed unsafe class FullKernel(int output, DType dtype, double value, long count) : Kernel
{
    public override string Describe() => $"full {dtype.Name()} {value} n={count}";

    public override void Execute(RunContext ctx)
    {
        if (dtype == DType.I32)
            new Span<int>(ctx.I(output), checked((int)count)).Fill((int)DType.I32.Round(value));
        else
            SimdMath.Fill(ctx.F(output), Conversions.RoundTo(dtype, (float)value), count);
    }
}
