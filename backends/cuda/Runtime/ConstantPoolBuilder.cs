using System.Runtime.InteropServices;
using Pixelfly.Backends.Cuda.Planning;

namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>
/// The bytes of an executable's constant region: graph constants (native encoding) and lowering tables (int32),
/// each at a 256-byte aligned offset; a table whose contents were already added is stored once.
/// </summary>
internal sealed class ConstantPoolBuilder
{
    private readonly MemoryStream _bytes = new();
    private readonly Dictionary<string, long> _tables = new(StringComparer.Ordinal);

    /// <summary>Distinct tables added.</summary>
    public int Tables => _tables.Count;

    /// <summary>Appends bytes at the next aligned offset; returns the offset.</summary>
    public long Add(ReadOnlySpan<byte> data)
    {
        long offset = _bytes.Length;
        _bytes.Write(data);
        // Pad to the alignment (an empty item still takes one unit, so it has an address of its own).
        long padded = offset + CudaMemoryPlanner.Align(data.Length);
        _bytes.Write(new byte[padded - _bytes.Length]);
        return offset;
    }

    /// <summary>Adds a table of int32 (little-endian, as the device reads it), once per distinct content.</summary>
    public long AddTable(int[] table)
    {
        var bytes = MemoryMarshal.AsBytes(table.AsSpan());
        string key = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(bytes)) + ":" + table.Length;
        if (_tables.TryGetValue(key, out long offset)) return offset;
        offset = Add(bytes);
        _tables[key] = offset;
        return offset;
    }

    public byte[] Bytes() => _bytes.ToArray();
}
