using System.Buffers.Binary;
using System.Text;
using Pixelfly.Ir;
using Pixelfly.Ir.Json;
using Pixelfly.Tensors;

namespace Pixelfly.Cli.Tests;

/// <summary>`run` and `tensors show` on broken safetensors files: one specific error, exit 1, nothing written.</summary>
public sealed class CorruptSafetensorsTests : ScratchFolder
{
    private static byte[] File(string header, int dataBytes, ulong? claimedHeaderSize = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedHeaderSize ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }

    private static IEnumerable<TestCaseData> Corruptions()
    {
        const string ok = """{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        yield return new TestCaseData(File(ok, 8, claimedHeaderSize: 200_000_000), new[] { "header size 200000000 exceeds", "limit" }).SetName("OversizedHeader");
        yield return new TestCaseData(File(ok, 8, claimedHeaderSize: 4000), new[] { "header size 4000 is larger than the file" }).SetName("HeaderSizeBeyondTheFile");
        yield return new TestCaseData(File("this is no json!", 8), new[] { "header is not a JSON object" }).SetName("NonJsonHeader");
        yield return new TestCaseData(File("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]""", 8), new[] { "header is not valid JSON" }).SetName("TruncatedJsonHeader");
        yield return new TestCaseData(File("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8), new[] { "begin 8 is greater than end 0" }).SetName("OffsetsReversed");
        yield return new TestCaseData(File("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}""", 8), new[] { "must be non-negative" }).SetName("OffsetsNegative");
        yield return new TestCaseData(File("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 8), new[] { "tensor 'x'", "ends at byte 16", "only 8 bytes" }).SetName("OffsetsPastTheEnd");
        yield return new TestCaseData(File("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}""", 12), new[] { "span 12 bytes but f32[2] needs 8" }).SetName("OffsetsDoNotMatchTheShape");
        yield return new TestCaseData(File("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12),
            new[] { "overlap", "'x'", "'w'" }).SetName("OverlappingOffsets");
        yield return new TestCaseData(File(ok, 5), new[] { "data section is truncated" }).SetName("TruncatedDataSection");
        yield return new TestCaseData(File("""{"x":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}""", 2), new[] { "dtype 'F8_E4M3' is not supported" }).SetName("UnsupportedDType");
        yield return new TestCaseData(new byte[] { 1, 2, 3 }, new[] { "shorter than 8 bytes" }).SetName("ShorterThanThePrefix");
    }

    private string WriteGraph()
    {
        var b = new GraphBuilder();
        b.Output("y", b.Exp(b.Input("x", DType.F32, 2)));
        return Write("graph.json", GraphJson.Serialize(b.Build()));
    }

    [TestCaseSource(nameof(Corruptions))]
    public void RunRejectsACorruptInputsFileAndWritesNothing(byte[] file, string[] fragments)
    {
        string graph = WriteGraph();
        string ins = Write("in.safetensors", file);
        CliHarness.Fails(1, ["run", graph, "--inputs", ins, "--output", PathOf("out.safetensors"), "--device", "ref"], ["in.safetensors", .. fragments]);
        AssertFolderHolds("graph.json", "in.safetensors");
    }

    [TestCaseSource(nameof(Corruptions))]
    public void TensorsShowRejectsACorruptFile(byte[] file, string[] fragments)
    {
        string path = Write("bad.safetensors", file);
        CliHarness.Fails(1, ["tensors", "show", path], ["bad.safetensors", .. fragments]);
    }

    [Test]
    public void TheWellFormedControlFileIsAccepted()
    {
        // The corruptions above differ from this file in one detail each, so their failures are about that detail.
        var bytes = File("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(bytes.Length - 8), 1f);
        string graph = WriteGraph();
        string ins = Write("in.safetensors", bytes);
        CliHarness.Succeeds("run", graph, "--inputs", ins, "--output", PathOf("out.safetensors"), "--device", "ref");
        Assert.That(Pixelfly.IO.Safetensors.Read(PathOf("out.safetensors"))["y"].ToDoubles()[0], Is.EqualTo(Math.E).Within(1e-6));
    }
}
