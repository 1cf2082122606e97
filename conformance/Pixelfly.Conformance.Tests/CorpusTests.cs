using System.Text;
using Pixelfly.Ir.Json;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance.Tests;

public sealed class CorpusTests
{
    /// <summary>Set to 1 to rewrite conformance/corpus/pixelfly-cts-v1.jsonl from the generator.</summary>
    private const string RegenerateEnvVar = "PIXELFLY_REGENERATE_CORPUS";

    [Test]
    public void TheGeneratorReproducesTheCheckedInCorpusByteForByte()
    {
        byte[] generated = Corpus.ToJsonl(CaseGenerator.Generate());
        if (Environment.GetEnvironmentVariable(RegenerateEnvVar) == "1")
        {
            string path = Path.Combine(RepositoryRoot(), "conformance", "corpus", Corpus.DefaultFileName);
            Pixelfly.IO.AtomicFile.WriteAllBytes(path, generated);
            Assert.Inconclusive($"wrote {generated.Length} bytes to {path}; rebuild and rerun the tests without {RegenerateEnvVar} to verify");
        }
        byte[] embedded = Corpus.DefaultCorpusBytes.ToArray();
        if (embedded.AsSpan().SequenceEqual(generated)) return;
        string[] a = Encoding.UTF8.GetString(embedded).Split('\n'), b = Encoding.UTF8.GetString(generated).Split('\n');
        int line = 0;
        while (line < Math.Min(a.Length, b.Length) && a[line] == b[line]) line++;
        string x = line < a.Length ? a[line] : "", y = line < b.Length ? b[line] : "";
        int col = 0;
        while (col < Math.Min(x.Length, y.Length) && x[col] == y[col]) col++;
        Assert.Fail($"the generator no longer reproduces {Corpus.DefaultFileName} (first difference on line {line + 1}, column {col + 1}: " +
            $"checked in '…{Around(x, col)}…', generated '…{Around(y, col)}…'). If the change is intended, regenerate with " +
            $"`{RegenerateEnvVar}=1 dotnet test conformance/Pixelfly.Conformance.Tests --filter TheGeneratorReproduces`, rebuild, " +
            "and bump the suite version when existing cases changed meaning.");
    }

    [Test]
    public void TheEmbeddedCorpusLoadsWithUniqueIdsAndAStableHash()
    {
        var cases = Corpus.LoadDefault();
        Assert.That(cases, Has.Count.EqualTo(CaseGenerator.Generate().Count));
        Assert.That(cases.Select(c => c.Id), Is.Unique);
        Assert.That(Corpus.DefaultCorpusSha256, Does.Match("^[0-9a-f]{64}$"));
        string onDisk = Path.Combine(RepositoryRoot(), "conformance", "corpus", Corpus.DefaultFileName);
        Assert.That(Corpus.FileSha256(onDisk), Is.EqualTo(Corpus.DefaultCorpusSha256), "the embedded corpus is the checked-in file");
    }

    [Test]
    public void EveryOpOfTheIrIsInTheCorpus()
    {
        var used = Corpus.LoadDefault().SelectMany(c => c.Graph.Nodes).Select(n => n.Op.Name).ToHashSet();
        Assert.That(OpRegistry.Names.Where(n => !used.Contains(n)), Is.Empty);
    }

    [Test]
    public void EveryDifferentiableOpHasAGradientCase()
    {
        var forwardOps = Corpus.LoadDefault().Where(c => c.Id.StartsWith("grad/", StringComparison.Ordinal))
            .SelectMany(c => c.Graph.Nodes).Select(n => n.Op.Name).ToHashSet();
        var differentiable = Corpus.LoadDefault().SelectMany(c => c.Graph.Nodes).Select(n => n.Op)
            .Where(op => op.IsDifferentiable).Select(op => op.Name).ToHashSet();
        Assert.That(differentiable.Where(n => !forwardOps.Contains(n)), Is.Empty);
    }

    [Test]
    public void EveryBlockSparseModeTransposeAndBlockSizeIsCovered()
    {
        var seen = Corpus.LoadDefault().SelectMany(c => c.Graph.Nodes).Select(n => n.Op).OfType<BlockSparseMatMulOp>()
            .Select(o => (o.Mode, o.TransA, o.TransB, o.Layout.BlockSize)).ToHashSet();
        foreach (var mode in Enum.GetValues<SparseMode>())
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (int b in new[] { 16, 32, 64 })
                        Assert.That(seen, Does.Contain((mode, ta, tb, b)), $"{mode} transA={ta} transB={tb} b={b}");
    }

    [Test]
    public void TheCorpusHasAModelLevelCaseWithAStepCounter()
    {
        var model = Corpus.LoadDefault().Where(c => c.Steps > 1).ToList();
        Assert.That(model, Is.Not.Empty);
        Assert.That(model.SelectMany(c => c.Inputs).Where(i => i.Kind == InputKind.Step).Select(i => i.Name), Has.All.EqualTo("step"));
        Assert.That(model.All(c => c.Graph.Outputs.Count(o => o.Donates is not null) > 0), Is.True);
    }

    [Test]
    public void ACaseRoundTripsThroughItsJsonLine()
    {
        foreach (var c in CaseGenerator.Generate().Take(40))
        {
            string line = CaseJson.Serialize(c);
            Assert.That(CaseJson.Serialize(CaseJson.Deserialize(line, "test")), Is.EqualTo(line));
            Assert.That(line, Does.Not.Contain("\n"));
        }
    }

    [Test]
    public void AMalformedLineIsReportedWithItsLineNumber()
    {
        string good = CaseJson.Serialize(CaseGenerator.Generate()[0]);
        string path = WriteTemp(good + "\n\n{\"id\": \"x\", \"class\": \n");
        var e = Assert.Throws<CorpusFormatException>(() => Corpus.Load(path));
        Assert.That(e!.Message, Does.StartWith($"{path} line 3: malformed JSON"));
    }

    [TestCase("\"class\":\"numeric\"", "\"class\":\"fuzzy\"", "\"class\" is 'fuzzy'")]
    [TestCase("\"kind\":\"uniform\"", "\"kind\":\"gaussian\"", "unknown kind 'gaussian'")]
    [TestCase("\"steps\":1", "\"steps\":1,\"thresholds\":{\"nmse\":1e-6}", "an override needs a \"reason\"")]
    [TestCase("\"steps\":1", "\"steps\":1,\"colour\":\"red\"", "unknown property 'colour'")]
    [TestCase("\"steps\":1", "\"steps\":0", "steps must be at least 1")]
    public void InvalidCasesNameTheLineAndTheProblem(string find, string replace, string expected)
    {
        string good = CaseJson.Serialize(CaseGenerator.Generate().First(c => c.Id == "unary/exp/f32"));
        Assert.That(good, Does.Contain(find));
        string bad = ReplaceFirst(good, find, replace);
        string path = WriteTemp(good.Replace("unary/exp/f32", "first") + "\n" + bad + "\n");
        var e = Assert.Throws<CorpusFormatException>(() => Corpus.Load(path));
        Assert.That(e!.Message, Does.StartWith($"{path} line 2").And.Contain(expected));
    }

    [Test]
    public void AMissingInputSpecIsRejected()
    {
        var c = CaseGenerator.Generate().First(x => x.Id == "binary/add/f32/broadcast");
        string line = CaseJson.Serialize(c with { Inputs = c.Inputs.Take(1).ToArray() });
        var e = Assert.Throws<CorpusFormatException>(() => CaseJson.Deserialize(line, "cases.jsonl line 9"));
        Assert.That(e!.Message, Does.StartWith("cases.jsonl line 9").And.Contain("no input spec for 'b'"));
    }

    [Test]
    public void ADuplicateIdNamesBothLines()
    {
        string good = CaseJson.Serialize(CaseGenerator.Generate()[0]);
        string path = WriteTemp(good + "\n" + good + "\n");
        var e = Assert.Throws<CorpusFormatException>(() => Corpus.Load(path));
        Assert.That(e!.Message, Does.Contain("line 2").And.Contain("already used on line 1"));
    }

    [Test]
    public void SplitMix64MatchesItsReferenceOutputs()
    {
        // Vigna's splitmix64.c seeded with 0.
        var rng = new SplitMix64(0);
        Assert.That(rng.Next(), Is.EqualTo(0xE220A8397B1DCDAFUL));
        Assert.That(rng.Next(), Is.EqualTo(0x6E789E6AA1B965F4UL));
        Assert.That(rng.Next(), Is.EqualTo(0x06C45D188009454FUL));
    }

    [Test]
    public void InputsAreReproducibleAndWithinTheirRanges()
    {
        var type = new TensorType(DType.F32, 50, 40);
        var u = InputSpec.Uniform("x", -2, 3, 42);
        var a = u.Generate(type).ToDoubles();
        Assert.That(u.Generate(type).ToDoubles(), Is.EqualTo(a));
        Assert.That(a.Min(), Is.GreaterThanOrEqualTo(-2.0));
        Assert.That(a.Max(), Is.LessThan(3.0));
        Assert.That(InputSpec.Uniform("x", -2, 3, 43).Generate(type).ToDoubles(), Is.Not.EqualTo(a));

        var ints = InputSpec.SmallInt("k", -3, 2, 7).Generate(type).ToDoubles();
        Assert.That(ints.Distinct().Order(), Is.EqualTo(new double[] { -3, -2, -1, 0, 1, 2 }));

        var labels = InputSpec.Labels("y", 10, 9).Generate(new TensorType(DType.I32, 500)).AsSpan<int>().ToArray();
        Assert.That(labels.Distinct().Order(), Is.EqualTo(Enumerable.Range(0, 10)));
    }

    [Test]
    public void TheFirstUniformValueFollowsTheDocumentedMapping()
    {
        // Seed 0: first output 0xE220A8397B1DCDAF; u = (x >> 11)·2^-53; value = lo + (hi − lo)·u rounded to f32.
        double u = (0xE220A8397B1DCDAFUL >> 11) * Math.Pow(2, -53);
        var v = InputSpec.Uniform("x", -1, 1, 0).Generate(new TensorType(DType.F32, 1)).ToDoubles()[0];
        Assert.That(v, Is.EqualTo((double)(float)(-1 + 2 * u)));
        // Small ints: lo + ((x >> 32)·n >> 32).
        var k = InputSpec.SmallInt("k", -4, 4, 0).Generate(new TensorType(DType.F32, 1)).ToDoubles()[0];
        Assert.That(k, Is.EqualTo(-4 + (double)(((0xE220A8397B1DCDAFUL >> 32) * 9) >> 32)));
    }

    [Test]
    public void StepInputsCountFromTheirStart()
    {
        var s = InputSpec.Step("step", 1);
        Assert.That(s.Generate(new TensorType(DType.F32), 0).ToDoubles(), Is.EqualTo(new[] { 1.0 }));
        Assert.That(s.Generate(new TensorType(DType.F32), 4).ToDoubles(), Is.EqualTo(new[] { 5.0 }));
    }

    [Test]
    public void ASpecThatDoesNotFitItsInputIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => InputSpec.Labels("y", 10, 1).Validate(new TensorType(DType.F32, 3)));
        Assert.That(e!.Message, Does.Contain("'y'").And.Contain("i32"));
        Assert.Throws<ArgumentException>(() => InputSpec.Uniform("x", 1, 1, 1).Validate(new TensorType(DType.F32, 3)));
        Assert.Throws<ArgumentException>(() => InputSpec.Uniform("x", 0, 1, -1).Validate(new TensorType(DType.F32, 3)));
    }

    private static string Around(string line, int col) => line[Math.Max(0, col - 40)..Math.Min(line.Length, col + 40)];

    private static string ReplaceFirst(string s, string find, string replace)
    {
        int i = s.IndexOf(find, StringComparison.Ordinal);
        return s[..i] + replace + s[(i + find.Length)..];
    }

    private readonly List<string> _temp = [];

    [TearDown]
    public void DeleteTemporaryFiles()
    {
        foreach (var path in _temp) File.Delete(path);
        _temp.Clear();
    }

    private string WriteTemp(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"pixelfly-cases-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, text);
        _temp.Add(path);
        return path;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "conformance", "corpus")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no conformance/corpus folder above {TestContext.CurrentContext.TestDirectory}");
    }
}
