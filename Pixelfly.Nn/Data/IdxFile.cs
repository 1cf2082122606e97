using System.Buffers.Binary;
using System.IO.Compression;

namespace Pixelfly.Nn.Data;

/// <summary>
/// Reads an IDX file (LeCun's MNIST format, gzipped or raw): magic 0x00 0x00 type rank, big-endian u32 dims, then
/// the data. Only unsigned bytes (type 0x08) are used by the data sets here.
/// </summary>
public static class IdxFile
{
    /// <summary>The dims and bytes of an unsigned-byte IDX file; every format rule is checked.</summary>
    public static (int[] Dims, byte[] Data) ReadBytes(string path)
    {
        if (!File.Exists(path)) throw new DataException($"IDX file '{path}' does not exist");
        byte[] raw;
        try
        {
            using var file = File.OpenRead(path);
            using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            raw = memory.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataException($"IDX file '{path}' is not valid gzip: {e.Message}");
        }
        return Parse(raw, path);
    }

    /// <summary>Parses IDX bytes (<paramref name="what"/> names the source in messages).</summary>
    public static (int[] Dims, byte[] Data) Parse(byte[] raw, string what)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Length < 4 || raw[0] != 0 || raw[1] != 0)
            throw new DataException($"'{what}' is not an IDX file (it must start with two zero bytes)");
        if (raw[2] != 0x08)
            throw new DataException($"'{what}' holds IDX type 0x{raw[2]:x2}; only unsigned bytes (0x08) are supported");
        int rank = raw[3];
        if (rank is < 1 or > 4 || raw.Length < 4 + 4 * rank)
            throw new DataException($"'{what}' declares {rank} dimensions, which its header cannot hold");
        var dims = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            uint dim = BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(4 + 4 * d));
            if (dim == 0 || dim > int.MaxValue) throw new DataException($"'{what}' has dimension {d} of size {dim}");
            dims[d] = (int)dim;
            count *= dim;
        }
        int offset = 4 + 4 * rank;
        if (raw.Length - offset != count)
            throw new DataException($"'{what}' declares {string.Join("x", dims)} = {count} bytes of data but holds {raw.Length - offset}");
        return (dims, raw[offset..]);
    }
}
