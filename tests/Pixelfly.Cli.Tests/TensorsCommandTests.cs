using Pixelfly.IO;
using Pixelfly.Tensors;

namespace Pixelfly.Cli.Tests;

public sealed class TensorsCommandTests : ScratchFolder
{
    private const string EveryDType = """
        {
          "x":     { "dtype": "f32",  "shape": [2, 3], "data": [1, 2, 3, 4, 5, 6.5] },
          "half":  { "dtype": "f16",  "shape": [3],    "data": [0.1, -2, 65504] },
          "brain": { "dtype": "bf16", "shape": [2],    "data": [1.00390625, -3] },
          "label": { "dtype": "i32",  "shape": [4],    "data": [0, -7, 2147483647, 3] },
          "wide":  { "dtype": "f64",  "shape": [1],    "data": [0.1] },
          "lr":    { "dtype": "f32",  "shape": [],     "data": [0.001] },
          "odd":   { "dtype": "f32",  "shape": [3],    "data": ["NaN", "Infinity", "-Infinity"] },
          "none":  { "dtype": "f32",  "shape": [0, 4], "data": [] }
        }
        """;

    [Test]
    public void FromJsonWritesEveryTensorWithItsTypeAndValuesRoundedToTheDType()
    {
        string output = PathOf("t.safetensors");
        string stdout = CliHarness.Succeeds("tensors", "from-json", Write("t.json", EveryDType), "--output", output);
        Assert.That(stdout, Does.Contain("wrote 8 tensor(s)"));

        var t = Safetensors.Read(output);
        Assert.That(t.Keys, Is.EquivalentTo(new[] { "x", "half", "brain", "label", "wide", "lr", "odd", "none" }));
        Assert.That(t["x"].Type, Is.EqualTo(new TensorType(DType.F32, 2, 3)));
        Assert.That(t["x"].ToDoubles(), Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6.5 }));
        Assert.That(t["half"].Type.DType, Is.EqualTo(DType.F16));
        Assert.That(t["half"].ToDoubles(), Is.EqualTo(new[] { (double)(Half)0.1f, -2, 65504 }));
        Assert.That(t["brain"].ToDoubles(), Is.EqualTo(new[] { 1.0, -3 }), "1.00390625 is a tie and rounds to even (1.0) in bf16");
        Assert.That(t["label"].AsSpan<int>().ToArray(), Is.EqualTo(new[] { 0, -7, int.MaxValue, 3 }));
        Assert.That(t["wide"].ToDoubles(), Is.EqualTo(new[] { 0.1 }));
        Assert.That(t["lr"].Type, Is.EqualTo(new TensorType(DType.F32, Shape.Scalar)));
        Assert.That(t["lr"].AsSpan<float>()[0], Is.EqualTo(0.001f));
        Assert.That(t["odd"].ToDoubles(), Is.EqualTo(new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity }));
        Assert.That(t["none"].Type, Is.EqualTo(new TensorType(DType.F32, 0, 4)));
    }

    private static IEnumerable<TestCaseData> BadJson()
    {
        yield return new TestCaseData("""{ "x": { "dtype": "f32", "shape": [2, 3], "data": [1, 2, 3, 4, 5] } }""",
            new[] { "tensor 'x'", "\"data\" has 5 values but shape [2,3] needs 6" }).SetName("TooFewValues");
        yield return new TestCaseData("""{ "x": { "dtype": "f32", "shape": [2], "data": [1, 2, 3] } }""",
            new[] { "\"data\" has 3 values but shape [2] needs 2" }).SetName("TooManyValues");
        yield return new TestCaseData("""{ "x": { "dtype": "float", "shape": [1], "data": [1] } }""",
            new[] { "unknown dtype 'float'", "f32, f16, bf16, i32, f64" }).SetName("UnknownDType");
        yield return new TestCaseData("""{ "x": { "dtype": "i32", "shape": [2], "data": [1, 2.5] } }""",
            new[] { "data[1]", "i32 tensor takes integers", "2.5" }).SetName("FractionInAnIntTensor");
        yield return new TestCaseData("""{ "x": { "dtype": "i32", "shape": [1], "data": [3000000000] } }""",
            new[] { "data[0]", "3000000000" }).SetName("IntOutOfRange");
        yield return new TestCaseData("""{ "x": { "dtype": "f16", "shape": [1], "data": [70000] } }""",
            new[] { "data[0]", "70000 is outside the range of f16" }).SetName("FloatOutOfRangeOfItsDType");
        yield return new TestCaseData("""{ "x": { "dtype": "f32", "shape": [2, 2], "data": [[1, 2], [3, 4]] } }""",
            new[] { "\"data\" has 2 values but shape [2,2] needs 4" }).SetName("NestedData");
        yield return new TestCaseData("""{ "x": { "dtype": "f32", "shape": [2], "data": [1, "two"] } }""",
            new[] { "data[1]", "expected a number" }).SetName("StringValue");
        yield return new TestCaseData("""{ "x": { "dtype": "f32", "shape": [-2], "data": [] } }""",
            new[] { "non-negative integers", "-2" }).SetName("NegativeDimension");
        yield return new TestCaseData("""{ "x": { "dtype": "f32", "data": [1] } }""", new[] { "tensor 'x'", "missing \"shape\"" }).SetName("MissingShape");
        yield return new TestCaseData("""{ "x": { "dtype": "f32", "shape": [1], "data": [1], "strides": [1] } }""",
            new[] { "unknown property \"strides\"" }).SetName("UnknownProperty");
        yield return new TestCaseData("""{ "x": [1, 2, 3] }""", new[] { "tensor 'x'", "expected an object" }).SetName("TensorIsNotAnObject");
        yield return new TestCaseData("""[1, 2]""", new[] { "expected a JSON object" }).SetName("TopLevelArray");
        yield return new TestCaseData("""{ "x": { "dtype": "f32", "shape": [1], "data": [1] }, "x": { "dtype": "f32", "shape": [1], "data": [2] } }""",
            new[] { "tensor 'x' is defined twice" }).SetName("DuplicateName");
        yield return new TestCaseData("""{ "__metadata__": { "dtype": "f32", "shape": [1], "data": [1] } }""",
            new[] { "\"__metadata__\" is reserved" }).SetName("ReservedName");
        yield return new TestCaseData("""{ "x": { "dtype": "f32", "shape": [1], "data": [1] } """, new[] { "malformed JSON", "line 1" }).SetName("TruncatedJson");
    }

    [TestCaseSource(nameof(BadJson))]
    public void FromJsonRejectsBadInputWithASpecificErrorAndWritesNothing(string json, string[] fragments)
    {
        string input = Write("in.json", json);
        CliHarness.Fails(1, ["tensors", "from-json", input, "--output", PathOf("out.safetensors")], ["in.json", .. fragments]);
        AssertFolderHolds("in.json");
    }

    [Test]
    public void FromJsonDoesNotClobberAnExistingFileWhenItFails()
    {
        string output = Write("out.safetensors", [7, 7, 7]);
        CliHarness.Fails(1, ["tensors", "from-json", Write("in.json", "{ \"x\": 1 }"), "--output", output], "tensor 'x'");
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(new byte[] { 7, 7, 7 }));
        AssertFolderHolds("in.json", "out.safetensors");
    }

    [Test]
    public void FromJsonIntoAMissingFolderIsAnError()
    {
        string input = Write("in.json", """{ "x": { "dtype": "f32", "shape": [1], "data": [1] } }""");
        CliHarness.Fails(1, ["tensors", "from-json", input, "--output", Path.Combine(Dir, "nope", "o.safetensors")], "does not exist");
        AssertFolderHolds("in.json");
    }

    [Test]
    public void FromJsonOfAMissingFileIsAnErrorNamingIt() =>
        CliHarness.Fails(1, ["tensors", "from-json", PathOf("nope.json"), "--output", PathOf("o.safetensors")], "cannot read", "nope.json");

    [Test]
    public void ShowPrintsNamesTypesLeadingValuesAndStatistics()
    {
        string file = PathOf("t.safetensors");
        Safetensors.Write(file, new Dictionary<string, HostTensor>
        {
            ["x"] = HostTensor.FromFloats([1, 2, 3, 4, 5, 6.5f], 2, 3),
            ["label"] = HostTensor.FromInts([3, -1, 4, 1, 5, 9, 2, 6, 5, 3], 10),
            ["odd"] = HostTensor.FromFloats([float.NaN, 2, float.PositiveInfinity], 3),
            ["none"] = new HostTensor(new TensorType(DType.BF16, 0)),
        }, new Dictionary<string, string> { ["note"] = "hello" });
        string stdout = CliHarness.Succeeds("tensors", "show", file);
        Assert.That(stdout, Does.Contain("4 tensor(s)"));
        Assert.That(stdout, Does.Contain("metadata note = hello"));
        Assert.That(stdout, Does.Contain("x  f32[2,3]  min 1  max 6.5  mean 3.583333"));
        Assert.That(stdout, Does.Contain("[1, 2, 3, 4, 5, 6.5]"));
        Assert.That(stdout, Does.Contain("label  i32[10]  min -1  max 9  mean 3.7"));
        Assert.That(stdout, Does.Contain("[3, -1, 4, 1, 5, 9, 2, 6, ... (2 more)]"));
        Assert.That(stdout, Does.Contain("odd  f32[3]  min 2  max 2  mean 2  NaN 1  inf 1"));
        Assert.That(stdout, Does.Contain("none  bf16[0]  (empty)"));
    }

    [Test]
    public void ShowPrintsAsManyValuesAsAsked()
    {
        string file = PathOf("t.safetensors");
        Safetensors.Write(file, new Dictionary<string, HostTensor> { ["v"] = HostTensor.FromInts(Enumerable.Range(0, 20).ToArray(), 20) });
        Assert.That(CliHarness.Succeeds("tensors", "show", file, "--values", "20"), Does.Contain("17, 18, 19]"));
        Assert.That(CliHarness.Succeeds("tensors", "show", file, "--values", "0"), Does.Not.Contain("[0,"));
        CliHarness.Fails(2, ["tensors", "show", file, "--values", "-1"], "'--values' must be >= 0");
    }

    [Test]
    public void ShowOfAMissingFileIsAnErrorNamingIt() =>
        CliHarness.Fails(1, ["tensors", "show", PathOf("nope.safetensors")], "cannot read tensor file", "nope.safetensors");
}
