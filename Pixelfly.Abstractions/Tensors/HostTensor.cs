using System.Runtime.InteropServices;

namespace Pixelfly.Tensors;

/// <summary>
/// A tensor in host memory: its type and its densely packed little-endian bytes. The exchange format
/// between files, devices and tests.
/// </summary>
public sealed class HostTensor
{
    /// <summary>Wraps bytes; their length must match the type exactly.</summary>
    public HostTensor(TensorType type, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(data);
        if (data.LongLength != type.ByteCount)
            throw new ArgumentException($"tensor {type} needs {type.ByteCount} bytes, got {data.LongLength}");
        Type = type;
        Data = data;
    }

    /// <summary>A zero-filled tensor.</summary>
    public HostTensor(TensorType type) : this(type, new byte[type.ByteCount]) { }

    /// <summary>The tensor's type.</summary>
    public TensorType Type { get; }

    /// <summary>The raw bytes, row-major.</summary>
    public byte[] Data { get; }

    /// <summary>Element count.</summary>
    public int ElementCount => Type.Shape.ElementCount;

    /// <summary>Views the bytes as elements of T (T must match the dtype's size).</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        if (Marshal.SizeOf<T>() != Type.DType.SizeOf())
            throw new InvalidOperationException($"cannot view a {Type.DType.Name()} tensor as {typeof(T).Name}");
        return MemoryMarshal.Cast<byte, T>(Data.AsSpan());
    }

    /// <summary>Builds an f32 tensor from values.</summary>
    public static HostTensor FromFloats(float[] values, params int[] dims)
    {
        var t = new HostTensor(new TensorType(DType.F32, dims));
        if (values.Length != t.ElementCount)
            throw new ArgumentException($"{values.Length} values do not fill shape {t.Type.Shape}");
        values.CopyTo(t.AsSpan<float>());
        return t;
    }

    /// <summary>Builds an i32 tensor from values.</summary>
    public static HostTensor FromInts(int[] values, params int[] dims)
    {
        var t = new HostTensor(new TensorType(DType.I32, dims));
        if (values.Length != t.ElementCount)
            throw new ArgumentException($"{values.Length} values do not fill shape {t.Type.Shape}");
        values.CopyTo(t.AsSpan<int>());
        return t;
    }

    /// <summary>Builds a tensor of any dtype from doubles, rounding each to the dtype.</summary>
    public static HostTensor FromDoubles(TensorType type, ReadOnlySpan<double> values)
    {
        var t = new HostTensor(type);
        if (values.Length != t.ElementCount)
            throw new ArgumentException($"{values.Length} values do not fill {type}");
        t.SetFromDoubles(values);
        return t;
    }

    /// <summary>Overwrites every element from doubles, rounding to the dtype.</summary>
    public void SetFromDoubles(ReadOnlySpan<double> values)
    {
        switch (Type.DType)
        {
            case DType.F32:
                { var s = AsSpan<float>(); for (int i = 0; i < s.Length; i++) s[i] = (float)values[i]; break; }
            case DType.F64:
                values.CopyTo(AsSpan<double>()); break;
            case DType.F16:
                { var s = AsSpan<Half>(); for (int i = 0; i < s.Length; i++) s[i] = (Half)(float)values[i]; break; }
            case DType.BF16:
                { var s = AsSpan<ushort>(); for (int i = 0; i < s.Length; i++) s[i] = BFloat16Bits.FromFloat((float)values[i]); break; }
            case DType.I32:
                { var s = AsSpan<int>(); for (int i = 0; i < s.Length; i++) s[i] = (int)DType.I32.Round(values[i]); break; }
        }
    }

    /// <summary>Every element widened to double (exact for all dtypes).</summary>
    public double[] ToDoubles()
    {
        var r = new double[ElementCount];
        switch (Type.DType)
        {
            case DType.F32: { var s = AsSpan<float>(); for (int i = 0; i < r.Length; i++) r[i] = s[i]; break; }
            case DType.F64: AsSpan<double>().CopyTo(r); break;
            case DType.F16: { var s = AsSpan<Half>(); for (int i = 0; i < r.Length; i++) r[i] = (double)s[i]; break; }
            case DType.BF16: { var s = AsSpan<ushort>(); for (int i = 0; i < r.Length; i++) r[i] = BFloat16Bits.ToFloat(s[i]); break; }
            case DType.I32: { var s = AsSpan<int>(); for (int i = 0; i < r.Length; i++) r[i] = s[i]; break; }
        }
        return r;
    }

    /// <summary>A deep copy.</summary>
    public HostTensor Clone() => new(Type, (byte[])Data.Clone());

    /// <inheritdoc/>
    public override string ToString() => $"HostTensor {Type}";
}
