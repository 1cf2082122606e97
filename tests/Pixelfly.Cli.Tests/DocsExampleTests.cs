using System.Text.RegularExpressions;
using Pixelfly.IO;
using Pixelfly.Ir.Json;

namespace Pixelfly.Cli.Tests;

/// <summary>docs/ir.md's worked example, run exactly as the page shows it, so the page stays true.</summary>
public sealed class DocsExampleTests : ScratchFolder
{
    private static string Doc => File.ReadAllText(Path.Combine(CliHarness.RepoRoot, "docs", "ir.md"));

    // The "$ pixelfly ..." lines of the worked example, as argument lists.
    private static List<string[]> DocumentedCommands() =>
        Regex.Matches(Doc, @"^\$ pixelfly (.+)$", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToList();

    // Example files are relative to the repository root, files the commands create go to the scratch folder.
    private string[] Localise(string[] args) => args
        .Select(a => a.StartsWith("docs/", StringComparison.Ordinal) ? Path.Combine(CliHarness.RepoRoot, a)
            : a.EndsWith(".safetensors", StringComparison.Ordinal) ? PathOf(a) : a)
        .ToArray();

    [Test]
    public void TheWorkedExampleRunsAsDocumentedAndPrintsWhatThePageShows()
    {
        var commands = DocumentedCommands();
        Assert.That(commands.Select(c => string.Join(' ', c.Take(2))), Is.EqualTo(new[] { "tensors from-json", "run docs/examples/pixelfly-linear.graph.json", "tensors show" }));

        string lastOut = "";
        foreach (var c in commands)
            lastOut = CliHarness.Succeeds(Localise(c));

        // Every line `tensors show` printed is on the page, except the file path and the device, which vary.
        var shown = lastOut.Replace("\r\n", "\n").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1).Where(l => !l.StartsWith("  metadata device", StringComparison.Ordinal)).ToArray();
        Assert.That(shown, Has.Length.GreaterThan(4));
        foreach (var line in shown)
            Assert.That(Doc, Does.Contain("\n" + line + "\n"), $"docs/ir.md does not show: {line}");
    }

    [Test]
    public void TheExampleComputesTheLayerTheTextDescribes()
    {
        string ins = PathOf("in.safetensors");
        CliHarness.Succeeds("tensors", "from-json", Path.Combine(CliHarness.RepoRoot, "docs", "examples", "pixelfly-linear.inputs.json"), "--output", ins);
        foreach (var device in TestDevices.Available())
        {
            string output = PathOf($"out-{device.Replace(':', '-')}.safetensors");
            CliHarness.Succeeds("run", Path.Combine(CliHarness.RepoRoot, "docs", "examples", "pixelfly-linear.graph.json"), "--inputs", ins, "--output", output, "--device", device);
            var y = Safetensors.Read(output)["y"].ToDoubles();
            Assert.That(y, Is.EqualTo(ExpectedY(Safetensors.Read(ins))).Within(1e-5), device);
            Assert.That(Safetensors.Read(output)["mean"].ToDoubles()[0], Is.EqualTo(y.Average()).Within(1e-5), device);
        }
    }

    // relu(x·Wᵀ + 0.5·(x·v)·uᵀ + bias) in plain loops, W densified from the graph's own layout.
    private static double[] ExpectedY(IReadOnlyDictionary<string, Pixelfly.Tensors.HostTensor> t)
    {
        var graph = GraphJson.Load(Path.Combine(CliHarness.RepoRoot, "docs", "examples", "pixelfly-linear.graph.json"));
        var layout = ((Pixelfly.Ir.Ops.BlockSparseMatMulOp)graph.Nodes[0].Op).Layout;
        var (x, w, u, v, bias) = (t["x"].ToDoubles(), t["w"].ToDoubles(), t["u"].ToDoubles(), t["v"].ToDoubles(), t["bias"].ToDoubles());
        int b = layout.BlockSize;
        var dense = new double[8, 8];
        for (int p = 0; p < layout.BlockRows; p++)
            for (int k = layout.RowPtr[p]; k < layout.RowPtr[p + 1]; k++)
                for (int i = 0; i < b; i++)
                    for (int j = 0; j < b; j++)
                        dense[p * b + i, layout.ColIdx[k] * b + j] = w[(k * b + i) * b + j];
        var y = new double[16];
        for (int r = 0; r < 2; r++)
        {
            double xv = 0;
            for (int c = 0; c < 8; c++) xv += x[r * 8 + c] * v[c];
            for (int o = 0; o < 8; o++)
            {
                double s = bias[o] + 0.5 * xv * u[o];
                for (int c = 0; c < 8; c++) s += x[r * 8 + c] * dense[o, c];
                y[r * 8 + o] = Math.Max(s, 0);
            }
        }
        return y;
    }

    [Test]
    public void TheReadmesLayoutExampleIsWhatTheCliPrints()
    {
        string readme = File.ReadAllText(Path.Combine(CliHarness.RepoRoot, "README.md")).Replace("\r\n", "\n");
        var m = Regex.Match(readme, @"^\$ pixelfly (layout [^\n]+)\n((?:[^$`][^\n]*\n)+)", RegexOptions.Multiline);
        Assert.That(m.Success, "README.md shows a `pixelfly layout` example with its output");
        string stdout = CliHarness.Succeeds(m.Groups[1].Value.Split(' ')).Replace("\r\n", "\n");
        Assert.That(stdout, Is.EqualTo(m.Groups[2].Value));
    }

    [Test]
    public void EveryOpHasASectionInTheReference()
    {
        var headings = Regex.Matches(Doc, @"^#### (.+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToArray();
        foreach (var op in OpRegistry.Names)
            Assert.That(headings.Any(h => h.Contains($"`{op}`")), $"docs/ir.md has no #### heading for op '{op}'");
    }

    [Test]
    public void TheDocumentedErrorIsTheOneTheCliPrints()
    {
        string ins = PathOf("inputs.safetensors");
        string json = File.ReadAllText(Path.Combine(CliHarness.RepoRoot, "docs", "examples", "pixelfly-linear.inputs.json"))
            .Replace("\"shape\": [2, 8]", "\"shape\": [2, 7]").Replace("[1, 2, 3, 4, 5, 6, 7, 8,", "[1, 2, 3, 4, 5, 6, 7,").Replace("-1, 0, 1, 0, -1, 0, 1, 0]", "-1, 0, 1, 0, -1, 0, 1]");
        CliHarness.Succeeds("tensors", "from-json", Write("in.json", json), "--output", ins);
        string previous = Directory.GetCurrentDirectory();
        try
        {
            // The page runs from the repository root with a relative inputs path; so does this test, from the scratch folder.
            Directory.SetCurrentDirectory(Dir);
            string line = CliHarness.Fails(1, ["run", Path.Combine(CliHarness.RepoRoot, "docs", "examples", "pixelfly-linear.graph.json"),
                "--inputs", "inputs.safetensors", "--output", "out.safetensors", "--device", "ref"]);
            Assert.That(Doc, Does.Contain("\n" + line + "\n"));
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }
}
