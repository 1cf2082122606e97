using System.Buffers.Binary;
using System.Collections.ObjectModel;
using Pixelfly.Tensors;

namespace Pixelfly.IO;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header size N, N bytes of UTF-8 JSON
/// describing each tensor (dtype, shape, byte range), then the packed data section. Reading enforces the
/// spec's rules (see <see cref="SafetensorsFormatException"/>); writing orders tensors by name, lays their
/// bytes out contiguously in that order and writes the file atomically.
/// </summary>
public static class Safetensors
{
    /// <summary>Reads every tensor of a file, ordered by name.</summary>
    /// <exception cref="SafetensorsFormatException">The file breaks the format.</exception>
    public static IReadOnlyDictionary<string, HostTensor> Read(string path) => ReadWithMetadata(path).Tensors;

    /// <summary>Reads every tensor of an in-memory file, ordered by name; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="SafetensorsFormatException">The bytes break the format.</exception>
    public static IReadOnlyDictionary<string, HostTensor> Read(ReadOnlySpan<byte> bytes, string sourceName) =>
        ReadWithMetadata(bytes, sourceName).Tensors;

    /// <summary>Reads the tensors and the "__metadata__" map of a file.</summary>
    /// <exception cref="SafetensorsFormatException">The file breaks the format.</exception>
    public static SafetensorsFile ReadWithMetadata(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        long fileLength = stream.Length;
        if (fileLength < SafetensorsHeader.PrefixBytes)
            throw TooShort(path, fileLength);
        Span<byte> prefix = stackalloc byte[SafetensorsHeader.PrefixBytes];
        stream.ReadExactly(prefix);
        int headerSize = SafetensorsHeader.CheckHeaderSize(BinaryPrimitives.ReadUInt64LittleEndian(prefix), fileLength, path);
        var header = new byte[headerSize];
        stream.ReadExactly(header);
        long dataStart = SafetensorsHeader.PrefixBytes + (long)headerSize;
        var contents = SafetensorsHeader.Parse(header, fileLength - dataStart, path);

        // Entries tile the data section in offset order, so one forward pass reads each tensor straight into its array.
        var tensors = new SortedDictionary<string, HostTensor>(StringComparer.Ordinal);
        foreach (var entry in contents.Entries)
        {
            var data = new byte[entry.End - entry.Begin];
            try
            {
                stream.Position = dataStart + entry.Begin;
                stream.ReadExactly(data);
            }
            catch (EndOfStreamException e)
            {
                throw new SafetensorsFormatException(path, $"tensor '{entry.Name}': data section is truncated (the file shrank while being read)", e);
            }
            tensors.Add(entry.Name, new HostTensor(entry.Type, data));
        }
        return Package(tensors, contents.Metadata);
    }

    /// <summary>Reads the tensors and the "__metadata__" map of an in-memory file; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="SafetensorsFormatException">The bytes break the format.</exception>
    public static SafetensorsFile ReadWithMetadata(ReadOnlySpan<byte> bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if (bytes.Length < SafetensorsHeader.PrefixBytes)
            throw TooShort(sourceName, bytes.Length);
        int headerSize = SafetensorsHeader.CheckHeaderSize(BinaryPrimitives.ReadUInt64LittleEndian(bytes), bytes.Length, sourceName);
        var data = bytes[(SafetensorsHeader.PrefixBytes + headerSize)..];
        var contents = SafetensorsHeader.Parse(bytes.Slice(SafetensorsHeader.PrefixBytes, headerSize), data.Length, sourceName);

        var tensors = new SortedDictionary<string, HostTensor>(StringComparer.Ordinal);
        foreach (var entry in contents.Entries)
            tensors.Add(entry.Name, new HostTensor(entry.Type, data[(int)entry.Begin..(int)entry.End].ToArray()));
        return Package(tensors, contents.Metadata);
    }

    /// <summary>
    /// Writes tensors (and optional string metadata) to <paramref name="path"/>, replacing it atomically: on any
    /// failure no partial file or temp file is left and an existing file is untouched.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor name is empty, "__metadata__", or not encodable as UTF-8.</exception>
    public static void Write(string path, IReadOnlyDictionary<string, HostTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Validate and build the header before touching the disk.
        var (ordered, header) = Prepare(tensors, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[SafetensorsHeader.PrefixBytes];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            foreach (var (_, tensor) in ordered)
                stream.Write(tensor.Data);
        });
    }

    /// <summary>The bytes <see cref="Write"/> would put in a file.</summary>
    /// <exception cref="ArgumentException">A tensor name is invalid, or the result exceeds the largest .NET array.</exception>
    public static byte[] Serialize(IReadOnlyDictionary<string, HostTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var (ordered, header) = Prepare(tensors, metadata);
        long total = SafetensorsHeader.PrefixBytes + (long)header.Length + ordered.Sum(p => p.Value.Data.LongLength);
        if (total > Array.MaxLength)
            throw new ArgumentException($"the serialized file would be {total} bytes, more than one array holds; use Write to stream it to disk");
        var bytes = new byte[total];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, SafetensorsHeader.PrefixBytes);
        int offset = SafetensorsHeader.PrefixBytes + header.Length;
        foreach (var (_, tensor) in ordered)
        {
            tensor.Data.CopyTo(bytes, offset);
            offset += tensor.Data.Length;
        }
        return bytes;
    }

    private static (List<KeyValuePair<string, HostTensor>> Ordered, byte[] Header) Prepare(
        IReadOnlyDictionary<string, HostTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = tensors.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        foreach (var (name, tensor) in ordered)
        {
            SafetensorsHeader.CheckTensorName(name);
            ArgumentNullException.ThrowIfNull(tensor, $"tensors['{name}']");
        }
        return (ordered, SafetensorsHeader.Build(ordered, metadata));
    }

    private static SafetensorsFile Package(SortedDictionary<string, HostTensor> tensors, IReadOnlyDictionary<string, string> metadata) =>
        new(new ReadOnlyDictionary<string, HostTensor>(tensors),
            new ReadOnlyDictionary<string, string>(metadata.ToDictionary(StringComparer.Ordinal)));

    private static SafetensorsFormatException TooShort(string source, long length) =>
        new(source, $"file is {length} bytes, shorter than 8 bytes (the header-size prefix alone needs 8)");
}
