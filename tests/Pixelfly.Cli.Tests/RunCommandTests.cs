using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pixelfly.IO;
using Pixelfly.Ir;
using Pixelfly.Ir.Json;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Cli.Tests;

public sealed class RunCommandTests : ScratchFolder
{
    private static readonly BlockLayout Layout = BlockLayout.FlatBlockButterfly(8, 8, 2, 4, 2);

    // y = x·Wᵀ with W block-sparse (Layout), plus a dense bias: a sparse linear layer.
    private static Graph SparseLinear()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 3, 8);
        var w = b.Parameter("w", DType.F32, Layout.NnzBlocks, 2, 2);
        var bias = b.Parameter("bias", DType.F32, 8);
        b.Output("y", b.BlockSparseMatMul(SparseMode.Dds, Layout, x, w, transB: true) + bias);
        return b.Build();
    }

    private static Dictionary<string, HostTensor> SparseLinearInputs()
    {
        var rng = new Random(7);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)Math.Round(rng.NextDouble() * 4 - 2, 2)).ToArray();
        return new()
        {
            ["x"] = HostTensor.FromFloats(Values(24), 3, 8),
            ["w"] = HostTensor.FromFloats(Values(Layout.NnzBlocks * 4), Layout.NnzBlocks, 2, 2),
            ["bias"] = HostTensor.FromFloats(Values(8), 8),
        };
    }

    // The dense computation the sparse graph must equal, written independently of any backend.
    private static double[] ExpectedSparseLinear(IReadOnlyDictionary<string, HostTensor> inputs)
    {
        var x = inputs["x"].ToDoubles();
        var w = inputs["w"].ToDoubles();
        var bias = inputs["bias"].ToDoubles();
        var dense = new double[8, 8];
        for (int p = 0; p < Layout.BlockRows; p++)
            for (int k = Layout.RowPtr[p]; k < Layout.RowPtr[p + 1]; k++)
                for (int i = 0; i < 2; i++)
                    for (int j = 0; j < 2; j++)
                        dense[p * 2 + i, Layout.ColIdx[k] * 2 + j] = w[k * 4 + i * 2 + j];
        var y = new double[3 * 8];
        for (int r = 0; r < 3; r++)
            for (int o = 0; o < 8; o++)
            {
                double s = bias[o];
                for (int c = 0; c < 8; c++) s += x[r * 8 + c] * dense[o, c];
                y[r * 8 + o] = s;
            }
        return y;
    }

    private (string Graph, string Inputs) WriteSparseLinear(Dictionary<string, HostTensor>? inputs = null)
    {
        string graph = Write("graph.json", GraphJson.Serialize(SparseLinear()));
        string ins = PathOf("in.safetensors");
        Safetensors.Write(ins, inputs ?? SparseLinearInputs());
        return (graph, ins);
    }

    private static IEnumerable<string> Devices() => TestDevices.Available();

    [TestCaseSource(nameof(Devices))]
    public void RunWritesEveryOutputWithTheValuesOfTheDenseComputation(string device)
    {
        var (graph, ins) = WriteSparseLinear();
        string output = PathOf("out.safetensors");
        string stdout = CliHarness.Succeeds("run", graph, "--inputs", ins, "--output", output, "--device", device);

        var result = Safetensors.Read(output);
        Assert.That(result.Keys, Is.EquivalentTo(new[] { "y" }));
        Assert.That(result["y"].Type, Is.EqualTo(new TensorType(DType.F32, 3, 8)));
        Assert.That(result["y"].ToDoubles(), Is.EqualTo(ExpectedSparseLinear(SparseLinearInputs())).Within(1e-4));
        Assert.That(stdout, Does.Contain($"device: {device}"));
        Assert.That(stdout, Does.Contain("y").And.Contain("f32[3,8]"));
        Assert.That(stdout, Does.Match(@"compile [0-9.]+ ms, run [0-9.]+ ms"));
    }

    [Test]
    public void RunOnAutoSaysWhichDeviceItChose()
    {
        var (graph, ins) = WriteSparseLinear();
        var r = CliHarness.Run("run", graph, "--inputs", ins, "--output", PathOf("out.safetensors"), "--device", "auto");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Error, Does.StartWith("auto: chose device"));
    }

    [Test]
    public void DonatedOutputsAreWrittenLikeAnyOther()
    {
        var b = new GraphBuilder();
        var p = b.Parameter("p", DType.F32, 2);
        var d = b.Input("d", DType.F32, 2);
        b.Output("p_next", p - d, donates: "p");
        string graph = Write("g.json", GraphJson.Serialize(b.Build()));
        string ins = PathOf("in.safetensors");
        Safetensors.Write(ins, new Dictionary<string, HostTensor> { ["p"] = HostTensor.FromFloats([5, 7], 2), ["d"] = HostTensor.FromFloats([1, 2], 2) });
        string stdout = CliHarness.Succeeds("run", graph, "--inputs", ins, "--output", PathOf("out.safetensors"), "--device", "ref");
        Assert.That(Safetensors.Read(PathOf("out.safetensors"))["p_next"].ToDoubles(), Is.EqualTo(new[] { 4.0, 5.0 }));
        Assert.That(stdout, Does.Match(@"p_next\s+f32\[2\]\s+p\b"));
    }

    [Test]
    public void AGraphWithoutInputsRunsWithoutAnInputsFile()
    {
        var b = new GraphBuilder();
        b.Output("ones", b.Full(1, DType.F32, 2, 2));
        string graph = Write("g.json", GraphJson.Serialize(b.Build()));
        CliHarness.Succeeds("run", graph, "--output", PathOf("out.safetensors"), "--device", "ref");
        Assert.That(Safetensors.Read(PathOf("out.safetensors"))["ones"].ToDoubles(), Is.EqualTo(new[] { 1.0, 1, 1, 1 }));
    }

    [Test]
    public void AGraphWithInputsButNoInputsFileIsAnErrorNamingThem()
    {
        var (graph, _) = WriteSparseLinear();
        CliHarness.Fails(1, ["run", graph, "--output", PathOf("out.safetensors"), "--device", "ref"], "'x' f32[3,8]", "--inputs");
        AssertFolderHolds("graph.json", "in.safetensors");
    }

    // ---- bad graph files ----

    private static readonly string ValidGraphJson = GraphJson.Serialize(SparseLinear());

    private static IEnumerable<TestCaseData> BadGraphs()
    {
        yield return new TestCaseData("{ \"format\": \"pixelfly.graph\", \"version\": 1, \"inputs\": [", new[] { "malformed JSON" }).SetName("MalformedGraphJson");
        yield return new TestCaseData(ValidGraphJson[..(ValidGraphJson.Length / 2)], new[] { "malformed JSON", "line" }).SetName("TruncatedGraphJson");
        yield return new TestCaseData("", new[] { "malformed JSON" }).SetName("EmptyGraphFile");
        yield return new TestCaseData("[1, 2]", new[] { "JSON object" }).SetName("GraphIsNotAnObject");
        yield return new TestCaseData(Mutated(g => g["nodes"]![0]!["op"] = "block_sparse_matmull"),
            new[] { "unknown op 'block_sparse_matmull'", "known ops:" }).SetName("UnknownOp");
        yield return new TestCaseData(Mutated(g => g["version"] = 99),
            new[] { "version 99 is newer", "upgrade" }).SetName("FutureVersion");
        yield return new TestCaseData(Mutated(g => g["format"] = "onnx"), new[] { "\"format\" is 'onnx'" }).SetName("WrongFormatTag");
        yield return new TestCaseData(Mutated(g => g["inputs"] = 5), new[] { "\"inputs\" must be an array, got number" }).SetName("SectionIsNotAnArray");
        yield return new TestCaseData(Graph("""{ "name": "x", "dtype": "f32", "shape": [2, 3] }, { "name": "w", "dtype": "f32", "shape": [4, 5] }""",
                """{ "op": "matmul", "inputs": ["x", "w"], "outputs": ["y"] }"""),
            new[] { "node 0 (matmul)", "inner dimensions differ", "f32[2,3]", "f32[4,5]" }).SetName("ShapeMismatchInGraph");
        yield return new TestCaseData(Graph("""{ "name": "x", "dtype": "f32", "shape": [2, 3] }, { "name": "w", "dtype": "bf16", "shape": [2, 3] }""",
                """{ "op": "add", "inputs": ["x", "w"], "outputs": ["y"] }"""),
            new[] { "node 0 (add)", "bf16", "f32" }).SetName("DTypeMismatchInGraph");
        yield return new TestCaseData(Mutated(g => g["parameters"]![0]!["shape"]![0] = 5),
            new[] { "node 0 (block_sparse_matmul)", "sparse operand", $"[..., {Layout.NnzBlocks}, 2, 2]", "f32[5,2,2]" }).SetName("SparseWeightDoesNotMatchItsLayout");
        yield return new TestCaseData(Graph("""{ "name": "x", "dtype": "f32", "shape": [2] }""",
                """{ "op": "exp", "inputs": ["nope"], "outputs": ["y"] }"""),
            new[] { "'nope' is not defined" }).SetName("UndefinedValue");
        yield return new TestCaseData(Graph("""{ "name": "x", "dtype": "f99", "shape": [2] }""", """{ "op": "exp", "inputs": ["x"], "outputs": ["y"] }"""),
            new[] { "unknown dtype 'f99'" }).SetName("UnknownDType");
    }

    private static string Mutated(Action<JsonNode> change)
    {
        var g = JsonNode.Parse(ValidGraphJson)!;
        change(g);
        return g.ToJsonString();
    }

    private static string Graph(string inputs, string node) =>
        $$"""{ "format": "pixelfly.graph", "version": 1, "inputs": [{{inputs}}], "nodes": [{{node}}], "outputs": [{ "name": "y", "value": "y" }] }""";

    [TestCaseSource(nameof(BadGraphs))]
    public void ABadGraphFileIsOneSpecificErrorAndWritesNothing(string graphText, string[] fragments)
    {
        Assert.That(graphText, Is.Not.EqualTo(ValidGraphJson), "the case must actually change the graph");
        string graph = Write("graph.json", graphText);
        string ins = PathOf("in.safetensors");
        Safetensors.Write(ins, SparseLinearInputs());
        CliHarness.Fails(1, ["run", graph, "--inputs", ins, "--output", PathOf("out.safetensors"), "--device", "ref"], ["graph.json", .. fragments]);
        AssertFolderHolds("graph.json", "in.safetensors");
    }

    [Test]
    public void AGraphErrorNamesTheNodeOnce()
    {
        string graph = Write("graph.json", Graph("""{ "name": "x", "dtype": "f32", "shape": [2, 3] }""", """{ "op": "softmax", "inputs": ["x"], "outputs": ["y"], "axis": 5 }"""));
        string line = CliHarness.Fails(1, ["run", graph, "--output", PathOf("out.safetensors"), "--device", "ref"], "node 0 (softmax)", "axis 5 is out of range");
        Assert.That(Regex.Matches(line, @"node 0 \(softmax\)"), Has.Count.EqualTo(1), line);
    }

    [Test]
    public void AMissingGraphFileIsAnErrorNamingIt()
    {
        CliHarness.Fails(1, ["run", PathOf("nope.json"), "--output", PathOf("out.safetensors")], "cannot read graph file", "nope.json");
        AssertFolderHolds();
    }

    // ---- inputs that do not fit the graph ----

    private static IEnumerable<TestCaseData> BadInputs()
    {
        var missing = SparseLinearInputs();
        missing.Remove("bias");
        yield return new TestCaseData(missing, new[] { "parameter 'bias' f32[8] is missing", "which holds: w, x" }).SetName("InputMissing");

        var wrongShape = SparseLinearInputs();
        wrongShape["x"] = new HostTensor(new TensorType(DType.F32, 3, 7));
        yield return new TestCaseData(wrongShape, new[] { "input 'x'", "declares f32[3,8]", "holds f32[3,7]", "shape differs" }).SetName("InputWrongShape");

        var wrongDType = SparseLinearInputs();
        wrongDType["x"] = new HostTensor(new TensorType(DType.BF16, 3, 8));
        yield return new TestCaseData(wrongDType, new[] { "input 'x'", "declares f32[3,8]", "holds bf16[3,8]", "dtype differs" }).SetName("InputWrongDType");

        var sparse = SparseLinearInputs();
        sparse["w"] = new HostTensor(new TensorType(DType.F32, 4, 4));
        yield return new TestCaseData(sparse, new[] { "parameter 'w'", $"declares f32[{Layout.NnzBlocks},2,2]", "holds f32[4,4]",
            "sparse operand of node 0 (block_sparse_matmul)", $"{Layout.NnzBlocks} blocks of 2x2", "block-CSR order" }).SetName("SparseWeightDoesNotMatchLayout");

        var extra = SparseLinearInputs();
        extra["z"] = HostTensor.FromFloats([1], 1);
        yield return new TestCaseData(extra, new[] { "holds tensor 'z'", "not an input or parameter", "the graph binds: x, w, bias" }).SetName("ExtraTensor");

        var two = SparseLinearInputs();
        two.Remove("x");
        two["z"] = HostTensor.FromFloats([1], 1);
        yield return new TestCaseData(two, new[] { "2 problems", "input 'x' f32[3,8] is missing", "holds tensor 'z'" }).SetName("SeveralProblemsAreAllNamed");
    }

    [TestCaseSource(nameof(BadInputs))]
    public void InputsThatDoNotFitTheGraphAreOneSpecificErrorAndWriteNothing(Dictionary<string, HostTensor> inputs, string[] fragments)
    {
        var (graph, ins) = WriteSparseLinear(inputs);
        CliHarness.Fails(1, ["run", graph, "--inputs", ins, "--output", PathOf("out.safetensors"), "--device", "ref"], fragments);
        AssertFolderHolds("graph.json", "in.safetensors");
    }

    [TestCaseSource(nameof(Devices))]
    public void ADataErrorDuringTheRunIsAnErrorAndWritesNothing(string device)
    {
        var b = new GraphBuilder();
        b.Output("rows", b.Gather(b.Input("table", DType.F32, 3, 2), b.Input("index", DType.I32, 2)));
        string graph = Write("graph.json", GraphJson.Serialize(b.Build()));
        string ins = PathOf("in.safetensors");
        Safetensors.Write(ins, new Dictionary<string, HostTensor>
        {
            ["table"] = HostTensor.FromFloats([1, 2, 3, 4, 5, 6], 3, 2),
            ["index"] = HostTensor.FromInts([0, 10], 2),
        });
        CliHarness.Fails(1, ["run", graph, "--inputs", ins, "--output", PathOf("out.safetensors"), "--device", device],
            $"the run failed on device '{device}'", "index 10", "[0, 3)");
        AssertFolderHolds("graph.json", "in.safetensors");
    }

    [Test]
    public void AMissingInputsFileIsAnErrorNamingIt()
    {
        var (graph, _) = WriteSparseLinear();
        CliHarness.Fails(1, ["run", graph, "--inputs", PathOf("nope.safetensors"), "--output", PathOf("out.safetensors")], "cannot read tensor file", "nope.safetensors");
        AssertFolderHolds("graph.json", "in.safetensors");
    }

    // ---- devices ----

    [Test]
    public void AnUnknownDeviceIdIsAnErrorListingTheKnownBackends()
    {
        var (graph, ins) = WriteSparseLinear();
        CliHarness.Fails(1, ["run", graph, "--inputs", ins, "--output", PathOf("out.safetensors"), "--device", "quantum:3"],
            "unknown device 'quantum:3'", "known backends:", "ref");
        AssertFolderHolds("graph.json", "in.safetensors");
    }

    [Test]
    public void ADeviceIndexThatDoesNotExistIsAnError()
    {
        var (graph, ins) = WriteSparseLinear();
        CliHarness.Fails(1, ["run", graph, "--inputs", ins, "--output", PathOf("out.safetensors"), "--device", "ref:7"], "'ref:7' does not exist");
        AssertFolderHolds("graph.json", "in.safetensors");
    }

    [Test]
    public void AnUnavailableDeviceIsAnErrorThatSaysWhy()
    {
        MissingDriverBackend.Register();
        var (graph, ins) = WriteSparseLinear();
        CliHarness.Fails(1, ["run", graph, "--inputs", ins, "--output", PathOf("out.safetensors"), "--device", MissingDriverBackend.BackendName],
            "not available", MissingDriverBackend.Reason);
        AssertFolderHolds("graph.json", "in.safetensors");
    }

    [Test]
    public void TheDeviceComesFromTheEnvironmentWhenNoOptionIsGiven()
    {
        var (graph, ins) = WriteSparseLinear();
        string? before = Environment.GetEnvironmentVariable("PIXELFLY_DEVICE");
        try
        {
            Environment.SetEnvironmentVariable("PIXELFLY_DEVICE", "quantum");
            CliHarness.Fails(1, ["run", graph, "--inputs", ins, "--output", PathOf("out.safetensors")], "unknown device 'quantum'");
            Environment.SetEnvironmentVariable("PIXELFLY_DEVICE", "ref");
            Assert.That(CliHarness.Succeeds("run", graph, "--inputs", ins, "--output", PathOf("out.safetensors")), Does.Contain("device: ref"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PIXELFLY_DEVICE", before);
        }
    }

    // ---- the output file ----

    [Test]
    public void AnOutputInAMissingFolderIsAnErrorAndNothingIsWritten()
    {
        var (graph, ins) = WriteSparseLinear();
        string output = Path.Combine(Dir, "no", "such", "out.safetensors");
        CliHarness.Fails(1, ["run", graph, "--inputs", ins, "--output", output, "--device", "ref"], "does not exist", Path.Combine(Dir, "no", "such"));
        AssertFolderHolds("graph.json", "in.safetensors");
    }

    [Test]
    public void AnOutputThatIsAFolderIsAnError()
    {
        var (graph, ins) = WriteSparseLinear();
        Directory.CreateDirectory(PathOf("out"));
        CliHarness.Fails(1, ["run", graph, "--inputs", ins, "--output", PathOf("out"), "--device", "ref"], "is a folder");
        Assert.That(Directory.GetFileSystemEntries(PathOf("out")), Is.Empty);
    }

    [Test]
    public void AFailedRunDoesNotClobberAnExistingOutputFile()
    {
        var inputs = SparseLinearInputs();
        inputs.Remove("x");
        var (graph, ins) = WriteSparseLinear(inputs);
        byte[] previous = [1, 2, 3, 4, 5];
        string output = Write("out.safetensors", previous);
        CliHarness.Fails(1, ["run", graph, "--inputs", ins, "--output", output, "--device", "ref"], "input 'x'");
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(previous));
        AssertFolderHolds("graph.json", "in.safetensors", "out.safetensors");
    }

    [Test]
    public void ADeviceFailureDoesNotClobberAnExistingOutputFile()
    {
        var (graph, ins) = WriteSparseLinear();
        byte[] previous = [9, 9, 9];
        string output = Write("out.safetensors", previous);
        CliHarness.Fails(1, ["run", graph, "--inputs", ins, "--output", output, "--device", "quantum"], "unknown device");
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(previous));
        AssertFolderHolds("graph.json", "in.safetensors", "out.safetensors");
    }

    [Test]
    public void ASuccessfulRunReplacesAnExistingOutputFile()
    {
        var (graph, ins) = WriteSparseLinear();
        string output = Write("out.safetensors", [1, 2, 3]);
        CliHarness.Succeeds("run", graph, "--inputs", ins, "--output", output, "--device", "ref");
        Assert.That(Safetensors.Read(output).Keys, Is.EquivalentTo(new[] { "y" }));
        AssertFolderHolds("graph.json", "in.safetensors", "out.safetensors");
    }
}
