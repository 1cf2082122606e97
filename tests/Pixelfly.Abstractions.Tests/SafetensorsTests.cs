using System.Buffers.Binary;
using System.Text;
using Pixelfly.IO;
using Pixelfly.Tensors;

namespace Pixelfly.Tests;

public sealed class SafetensorsTests
{
    private string _dir = "";

    [SetUp]
    public void CreateScratchFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "pixelfly-safetensors-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteScratchFolder() => Directory.Delete(_dir, recursive: true);

    private static Dictionary<string, HostTensor> EveryDType() => new()
    {
        ["f32"] = HostTensor.FromFloats([1.5f, -2f, float.NaN, float.PositiveInfinity, 0f, -0f], 2, 3),
        ["f16"] = HostTensor.FromDoubles(new TensorType(DType.F16, 4), [1, -0.5, 65504, 6e-8]),
        ["bf16"] = HostTensor.FromDoubles(new TensorType(DType.BF16, 2, 2), [1, -3.25, 1e30, 7]),
        ["i32"] = HostTensor.FromInts([int.MinValue, -1, int.MaxValue], 3),
        ["f64"] = HostTensor.FromDoubles(new TensorType(DType.F64, 2), [Math.PI, -1e300]),
        ["scalar.f32"] = HostTensor.FromFloats([42f]),
        ["scalar.i32"] = HostTensor.FromInts([-7]),
        ["empty.f32"] = new HostTensor(new TensorType(DType.F32, 0, 3)),
        ["empty.bf16"] = new HostTensor(new TensorType(DType.BF16, 5, 0)),
        ["empty.f64"] = new HostTensor(new TensorType(DType.F64, 0)),
    };

    private static void AssertSameTensors(IReadOnlyDictionary<string, HostTensor> actual, IReadOnlyDictionary<string, HostTensor> expected)
    {
        Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
        foreach (var (name, tensor) in expected)
        {
            Assert.That(actual[name].Type, Is.EqualTo(tensor.Type), name);
            Assert.That(actual[name].Data, Is.EqualTo(tensor.Data), name);
        }
    }

    [Test]
    public void RoundTripThroughAFileKeepsEveryDTypeShapeAndByte()
    {
        var tensors = EveryDType();
        string path = Path.Combine(_dir, "all.safetensors");
        Safetensors.Write(path, tensors);
        AssertSameTensors(Safetensors.Read(path), tensors);
    }

    [Test]
    public void RoundTripInMemoryKeepsEveryDTypeShapeAndByte()
    {
        var tensors = EveryDType();
        AssertSameTensors(Safetensors.Read(Safetensors.Serialize(tensors), "memory"), tensors);
    }

    [Test]
    public void WriteAndSerializeProduceTheSameBytes()
    {
        var tensors = EveryDType();
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        string path = Path.Combine(_dir, "same.safetensors");
        Safetensors.Write(path, tensors, metadata);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(Safetensors.Serialize(tensors, metadata)));
    }

    [Test]
    public void ReadEnumeratesTensorsInOrdinalNameOrder()
    {
        var tensors = new Dictionary<string, HostTensor>
        {
            ["b"] = HostTensor.FromInts([1]),
            ["a.2"] = HostTensor.FromInts([2]),
            ["B"] = HostTensor.FromInts([3]),
            ["a.10"] = HostTensor.FromInts([4]),
        };
        var read = Safetensors.Read(Safetensors.Serialize(tensors), "memory");
        Assert.That(read.Keys, Is.EqualTo(new[] { "B", "a.10", "a.2", "b" }));
    }

    [Test]
    public void MetadataRoundTripsAndIsEmptyWhenAbsent()
    {
        var tensors = new Dictionary<string, HostTensor> { ["w"] = HostTensor.FromFloats([1f, 2f], 2) };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "quotes \" and é and <tags>", ["empty"] = "" };
        string path = Path.Combine(_dir, "meta.safetensors");
        Safetensors.Write(path, tensors, metadata);

        var file = Safetensors.ReadWithMetadata(path);
        Assert.That(file.Metadata, Is.EquivalentTo(metadata));
        AssertSameTensors(file.Tensors, tensors);

        Safetensors.Write(path, tensors);
        Assert.That(Safetensors.ReadWithMetadata(path).Metadata, Is.Empty);
    }

    [Test]
    public void SerializeProducesTheExpectedBytesForATinyFile()
    {
        var tensors = new Dictionary<string, HostTensor>
        {
            ["b"] = HostTensor.FromFloats([1f, 2f], 2),
            ["a"] = HostTensor.FromInts([7]),
        };
        var bytes = Safetensors.Serialize(tensors, new Dictionary<string, string> { ["k"] = "v" });

        // 132 bytes of JSON, padded with 4 spaces to 136 so the data section starts 8-byte aligned.
        const string json = """{"__metadata__":{"k":"v"},"a":{"dtype":"I32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""";
        Assert.That(json, Has.Length.EqualTo(132));
        string header = json + "    ";
        byte[] expected =
        [
            .. BitConverter.GetBytes(136UL),
            .. Encoding.ASCII.GetBytes(header),
            7, 0, 0, 0,
            0x00, 0x00, 0x80, 0x3F,
            0x00, 0x00, 0x00, 0x40,
        ];
        Assert.That(bytes, Is.EqualTo(expected));
    }

    [Test]
    public void ReadsAFileLaidOutByAnotherWriter()
    {
        // As the Python library writes: metadata first, tensors sorted by dtype alignment (not by name), and
        // here also pretty-printed with keys in another order and trailing padding.
        const string json = """
            {
              "__metadata__": {"format": "pt"},
              "z.f64": {"data_offsets": [0, 8], "shape": [1], "dtype": "F64"},
              "m.i32": {"dtype": "I32", "shape": [2], "data_offsets": [8, 16]},
              "a.bf16": {"shape": [2, 1], "dtype": "BF16", "data_offsets": [16, 20]},
              "e.f16": {"dtype": "F16", "shape": [0], "data_offsets": [20, 20]}
            }
            """;
        var header = Encoding.UTF8.GetBytes(json + "   ");
        var data = new List<byte>();
        data.AddRange(BitConverter.GetBytes(-2.5));
        data.AddRange(BitConverter.GetBytes(3));
        data.AddRange(BitConverter.GetBytes(-4));
        data.AddRange([0x80, 0x3F, 0x40, 0xC0]); // bf16 1.0, -3.0
        byte[] file = [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. data];
        string path = Path.Combine(_dir, "other.safetensors");
        File.WriteAllBytes(path, file);

        var read = Safetensors.ReadWithMetadata(path);
        Assert.That(read.Metadata["format"], Is.EqualTo("pt"));
        Assert.That(read.Tensors.Keys, Is.EqualTo(new[] { "a.bf16", "e.f16", "m.i32", "z.f64" }));
        Assert.That(read.Tensors["z.f64"].ToDoubles(), Is.EqualTo(new[] { -2.5 }));
        Assert.That(read.Tensors["m.i32"].AsSpan<int>().ToArray(), Is.EqualTo(new[] { 3, -4 }));
        Assert.That(read.Tensors["a.bf16"].Type, Is.EqualTo(new TensorType(DType.BF16, 2, 1)));
        Assert.That(read.Tensors["a.bf16"].ToDoubles(), Is.EqualTo(new[] { 1.0, -3.0 }));
        Assert.That(read.Tensors["e.f16"].Type, Is.EqualTo(new TensorType(DType.F16, 0)));
    }

    /// <summary>A file with the given header text (unpadded) and data section.</summary>
    private static byte[] FileWith(string json, int dataBytes) => FileWith(Encoding.UTF8.GetBytes(json), dataBytes);

    private static byte[] FileWith(byte[] header, int dataBytes) =>
        [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[dataBytes]];

    private static byte[] Prefix(ulong headerSize, int totalBytes)
    {
        var bytes = new byte[totalBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerSize);
        return bytes;
    }

    private const string A8 = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";

    private static IEnumerable<TestCaseData> MalformedFiles()
    {
        TestCaseData Case(string name, byte[] bytes, string phrase) => new TestCaseData(bytes, phrase).SetName("Rejects " + name);

        yield return Case("a file shorter than 8 bytes", new byte[5], "shorter than 8 bytes");
        yield return Case("a header size larger than the file", Prefix(1000, 40), "larger than the file");
        yield return Case("a header size over 100 MB", Prefix(200_000_000, 40), "limit of 100000000 bytes");
        yield return Case("a header that is not UTF-8", FileWith([(byte)'{', 0xFF, (byte)'}'], 0), "not valid UTF-8");
        yield return Case("a header that is not JSON", FileWith("{\"a\":", 0), "not valid JSON");
        yield return Case("trailing text after the header object", FileWith("{} x", 0), "not valid JSON");
        yield return Case("a header that is an array", FileWith("[1,2]", 0), "not a JSON object");
        yield return Case("an empty header", FileWith("", 0), "not a JSON object");
        yield return Case("a tensor entry that is not an object", FileWith("{\"a\":5}", 0), "entry must be a JSON object");
        yield return Case("an entry missing dtype", FileWith("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "missing \"dtype\"");
        yield return Case("an entry missing shape", FileWith("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), "missing \"shape\"");
        yield return Case("an entry missing data_offsets", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "missing \"data_offsets\"");
        yield return Case("a dtype that is not a string", FileWith("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "\"dtype\" must be a string");
        yield return Case("a shape that is not an array", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8), "\"shape\" must be an array of integers");
        yield return Case("a fractional dimension", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}", 8), "\"shape\" must be an array of integers");
        yield return Case("data_offsets that are not an array", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":\"0,8\"}}", 8), "\"data_offsets\" must be [begin, end]");
        yield return Case("data_offsets with three values", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", 8), "\"data_offsets\" must be [begin, end], got 3 values");
        yield return Case("an unknown dtype", FileWith("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "unknown dtype 'Q7'; supported dtypes are F32, F16, BF16, I32, F64");
        yield return Case("a lower-case dtype", FileWith("{\"a\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "unknown dtype 'f32'");
        yield return Case("an unsupported spec dtype", FileWith("{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8), "dtype 'I64' is not supported; supported dtypes are F32, F16, BF16, I32, F64");
        yield return Case("a negative dimension", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "negative dimension -2");
        yield return Case("a shape with too many elements", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536,0],\"data_offsets\":[0,0]}}", 0), "more than 2147483647 elements");
        yield return Case("a negative offset", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8), "must be non-negative");
        yield return Case("begin after end", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8), "begin 8 is greater than end 0");
        yield return Case("a byte range that does not match the shape", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "span 8 bytes but f32[3] needs 12 bytes");
        yield return Case("a truncated data section", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), "truncated");
        yield return Case("overlapping tensors", FileWith("{\"a\":{" + A8 + "},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "'a' [0, 8) and 'b' [4, 12) overlap");
        yield return Case("two tensors on the same bytes", FileWith("{\"a\":{" + A8 + "},\"b\":{" + A8 + "}}", 8), "overlap");
        yield return Case("a hole between tensors", FileWith("{\"a\":{" + A8 + "},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20), "hole in the data section: bytes [8, 12)");
        yield return Case("a hole at the start", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "hole in the data section: bytes [0, 4)");
        yield return Case("unindexed bytes at the end", FileWith("{\"a\":{" + A8 + "}}", 12), "hole in the data section: bytes [8, 12) at its end");
        yield return Case("data but no tensors", FileWith("{}", 4), "hole in the data section");
        yield return Case("a duplicate tensor name", FileWith("{\"a\":{" + A8 + "},\"a\":{" + A8 + "}}", 8), "duplicate tensor name 'a'");
        yield return Case("a duplicate name spelled with an escape", FileWith("{\"a\":{" + A8 + "},\"\\u0061\":{" + A8 + "}}", 8), "duplicate tensor name 'a'");
        yield return Case("a duplicate key inside an entry", FileWith("{\"a\":{" + A8 + ",\"dtype\":\"I32\"}}", 8), "tensor 'a': duplicate key \"dtype\"");
        yield return Case("an empty tensor name", FileWith("{\"\":{" + A8 + "}}", 8), "empty tensor name");
        yield return Case("metadata that is not an object", FileWith("{\"__metadata__\":[\"x\"]}", 0), "\"__metadata__\" must be a JSON object");
        yield return Case("a non-string metadata value", FileWith("{\"__metadata__\":{\"epoch\":3}}", 0), "metadata value for 'epoch' must be a string");
        yield return Case("a duplicate metadata key", FileWith("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0), "duplicate metadata key 'k'");
        yield return Case("two metadata objects", FileWith("{\"__metadata__\":{},\"__metadata__\":{}}", 0), "duplicate \"__metadata__\" key");
        yield return Case("a header with leading whitespace", FileWith(" {}", 0), "must start with '{'");
    }

    [TestCaseSource(nameof(MalformedFiles))]
    public void MalformedBytesThrowAFormatExceptionNamingTheRule(byte[] bytes, string phrase)
    {
        var ex = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(bytes, "case.safetensors"));
        Assert.That(ex!.Message, Does.Contain(phrase));
        Assert.That(ex.Path, Is.EqualTo("case.safetensors"));
    }

    [TestCaseSource(nameof(MalformedFiles))]
    public void MalformedFilesThrowAFormatExceptionCarryingThePath(byte[] bytes, string phrase)
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(path));
        Assert.That(ex!.Message, Does.Contain(phrase));
        Assert.That(ex.Message, Does.StartWith(path));
        Assert.That(ex.Path, Is.EqualTo(path));
    }

    [Test]
    public void HeaderPaddedWithSpacesAndUnknownEntryKeysAreAccepted()
    {
        var bytes = FileWith("{\"a\":{" + A8 + ",\"extra\":{\"x\":[1]}}}" + new string(' ', 13), 8);
        var read = Safetensors.Read(bytes, "padded");
        Assert.That(read["a"].Type, Is.EqualTo(new TensorType(DType.F32, 2)));
    }

    [Test]
    public void EmptyTensorSetRoundTrips()
    {
        var bytes = Safetensors.Serialize(new Dictionary<string, HostTensor>());
        Assert.That(bytes, Has.Length.EqualTo(16)); // "{}" padded to 8
        Assert.That(Safetensors.Read(bytes, "empty"), Is.Empty);
    }

    [Test]
    public void WriteIntoAMissingFolderFailsAndLeavesNothingBehind()
    {
        string path = Path.Combine(_dir, "missing", "x.safetensors");
        Assert.Throws<DirectoryNotFoundException>(() => Safetensors.Write(path, EveryDType()));
        Assert.That(Directory.EnumerateFileSystemEntries(_dir), Is.Empty);
    }

    [TestCase("", "non-empty")]
    [TestCase("__metadata__", "reserved")]
    [TestCase("lone surrogate", "unpaired surrogate")]
    public void WriteWithAnInvalidTensorNameFailsAndKeepsTheOldFile(string name, string phrase)
    {
        // Attribute strings cannot carry a lone surrogate (they are stored as UTF-8), so build it here.
        if (name == "lone surrogate")
            name = "bad" + '\uD800' + "name";
        string path = Path.Combine(_dir, "keep.safetensors");
        var old = new Dictionary<string, HostTensor> { ["old"] = HostTensor.FromInts([1]) };
        Safetensors.Write(path, old);
        byte[] before = File.ReadAllBytes(path);

        var tensors = new Dictionary<string, HostTensor> { ["ok"] = HostTensor.FromInts([2]), [name] = HostTensor.FromInts([3]) };
        var ex = Assert.Throws<ArgumentException>(() => Safetensors.Write(path, tensors));
        Assert.That(ex!.Message, Does.Contain(phrase));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void WritingOverAnExistingFileReplacesItAndLeavesNoTempFile()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        Safetensors.Write(path, new Dictionary<string, HostTensor> { ["first"] = HostTensor.FromFloats(new float[1000], 1000) });
        var second = new Dictionary<string, HostTensor> { ["second"] = HostTensor.FromInts([5, 6], 2) };
        Safetensors.Write(path, second);

        AssertSameTensors(Safetensors.Read(path), second);
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void AtomicWriteThatFailsMidwayKeepsTheOldContentAndDeletesTheTempFile()
    {
        string path = Path.Combine(_dir, "cert.json");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            throw new InvalidOperationException("disk full, say");
        }));
        Assert.That(File.ReadAllText(path), Is.EqualTo("old"));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void AtomicWriteAllTextWritesUtf8WithoutBom()
    {
        string path = Path.Combine(_dir, "note.txt");
        AtomicFile.WriteAllText(path, "héllo");
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(Encoding.UTF8.GetBytes("héllo")));
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void AtomicWriteIntoAMissingFolderLeavesNothingBehind()
    {
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.WriteAllText(Path.Combine(_dir, "nope", "a.txt"), "x"));
        Assert.That(Directory.EnumerateFileSystemEntries(_dir), Is.Empty);
    }

    [Test]
    public void AJsonFileGivenAsSafetensorsIsNamedAsSuch()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("{\"x\": {\"dtype\": \"f32\", \"shape\": [1], \"data\": [1]}}");
        var ex = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(bytes, "inputs.json"));
        Assert.That(ex!.Message, Does.Contain("looks like JSON, not safetensors"));
    }
}
