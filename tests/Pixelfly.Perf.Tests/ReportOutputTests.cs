using System.Buffers.Binary;
using Pixelfly.Perf.Reports;

namespace Pixelfly.Perf.Tests;

public sealed class ReportOutputTests
{
    [Test]
    public void TheMarkdownTableHasOneRowPerCaseWithMedianSpreadAndRatios()
    {
        string md = MarkdownReport.Write(TestReports.Simple(forwardMs: 1));
        var rows = md.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToArray();

        Assert.That(rows, Has.Length.EqualTo(2));
        Assert.That(rows[0], Does.StartWith("| `linear-sparse/forward/x` | 32 | 0.125 | 1.000 [0.9000–1.200] |"));
        Assert.That(rows[0], Does.Contain("| 0.125 ["), "time / our dense: 1 ms / 8 ms");
        Assert.That(rows[0], Does.Contain("| 0.143 [").And.EndWith("| 7.000 [6.300–8.400] |"), "time / OpenBLAS: 1 ms / 7 ms; OpenBLAS ms");
        Assert.That(md, Does.Contain("commit `0123456789ab`"));
        Assert.That(md, Does.Contain("core `Cooperlake`, 2 thread(s)"));
        Assert.That(md, Does.Contain("| case (`cpu`) | b | density | median ms [min–max] |"));
    }

    [Test]
    public void SkippedCasesAreListedWithTheirReason()
    {
        var report = TestReports.Report([TestReports.Device("ref")], [TestReports.Skipped("gemm/big")]);
        string md = MarkdownReport.Write(report);
        Assert.That(md, Does.Contain("| `gemm/big` | – | – | skipped |"));
        Assert.That(md, Does.Contain("- skipped on `ref`: `gemm/big`: too big for the test"));
    }

    [Test]
    public void SideBySideACaseThatFailedConformanceOnOneDeviceShowsItsStatusAndNoRatio()
    {
        var report = TestReports.Report([TestReports.Device("cpu"), TestReports.Device("vulkan:0")],
            [TestReports.Case("k", 2, "cpu"), TestReports.ConformanceFailed("k", "vulkan:0"), TestReports.Case("g", 4, "cpu"), TestReports.Case("g", 1, "vulkan:0")]);
        string md = MarkdownReport.Write(report);

        Assert.That(md, Does.Contain("| case | `cpu` ms [min–max] | `vulkan:0` ms [min–max] | `cpu` / its dense | `vulkan:0` / its dense | `vulkan:0` / `cpu` |"));
        Assert.That(md, Does.Contain("| `k` | 2.000 [1.800–2.400] | conformance-failed: bsmm/dds/b32/butterfly/ta0-tb1 | 0.250 [0.225–0.275] | – | – |"));
        Assert.That(md, Does.Contain("| `g` | 4.000 [3.600–4.800] | 1.000 [0.9000–1.200] | 0.500 [0.450–0.550] | 0.125 [0.113–0.138] | 0.250 |"));
        Assert.That(md, Does.Contain("- conformance guard (`vulkan:0`): 1 case(s) passed, 1 failed and were not timed"));
        Assert.That(md, Does.Contain("- conformance-failed on `vulkan:0`: `k`: conformance-failed: bsmm/dds/b32/butterfly/ta0-tb1; not timed"));
        // The per-device table shows the traffic columns and says which clock timed the rows.
        Assert.That(md, Does.Contain("| `g` | 32 | 0.125 | 1.000 [0.9000–1.200] | 1000.0 | 8000.0 | 1000.0 | 4.0 | 20.0 |"));
        Assert.That(md, Does.Contain("- clock (`cpu`): host wall clock around the runs for every case"));
    }

    [Test]
    public void CommitVersusCommitGivesRatiosOfMediansPerCase()
    {
        var a = new BenchComparison.Input("A", "a.json", TestReports.Simple(forwardMs: 2, commit: "aaaa"));
        var b = new BenchComparison.Input("B", "b.json", TestReports.Simple(forwardMs: 1, commit: "bbbb"));
        string md = BenchComparison.ToMarkdown([a, b]);

        Assert.That(md, Does.Contain("| case | A `cpu` ms | B `cpu` ms | B/A `cpu` | A `cpu` / OpenBLAS | B `cpu` / OpenBLAS |"));
        Assert.That(md, Does.Contain("| `linear-sparse/forward/x` | 2.000 | 1.000 | 0.500 |"));
        Assert.That(md, Does.Contain("| `gemm/x` | 8.000 | 8.000 | 1.000 |"));
        Assert.That(md, Does.Contain("commit `aaaa`").And.Contain("commit `bbbb`"));
    }

    [Test]
    public void DeviceVersusDeviceRatiosWhenEachFileRanOneDevice()
    {
        var a = new BenchComparison.Input("A", "a.json", TestReports.Report([TestReports.Device("cpu")], [TestReports.Case("k", 4, "cpu")]));
        var b = new BenchComparison.Input("B", "b.json", TestReports.Report([TestReports.Device("vulkan:0")], [TestReports.Case("k", 1, "vulkan:0")]));
        string md = BenchComparison.ToMarkdown([a, b]);
        Assert.That(md, Does.Contain("| B `vulkan:0` / A `cpu` |"));
        Assert.That(md, Does.Contain("| `k` | 4.000 | 1.000 | 0.250 |"));
    }

    [Test]
    public void OneFileWithTwoDevicesPivotsDevicesByCases()
    {
        var r = TestReports.Report([TestReports.Device("cpu"), TestReports.Device("ref")],
            [TestReports.Case("k", 1, "cpu"), TestReports.Case("k", 50, "ref"), TestReports.Skipped("big", "ref")]);
        string md = BenchComparison.ToMarkdown([new BenchComparison.Input("A", "a.json", r)]);
        Assert.That(md, Does.Contain("| `k` | 1.000 | 50.00 | 50.000 |"));
        Assert.That(md, Does.Contain("| `big` | – | skipped | – |"));
    }

    [Test]
    public void FilesWithNoCaseInCommonCannotBeCompared()
    {
        var a = new BenchComparison.Input("A", "a.json", TestReports.Report([TestReports.Device()], [TestReports.Case("x", 1)]));
        var b = new BenchComparison.Input("B", "b.json", TestReports.Report([TestReports.Device()], [TestReports.Case("y", 1)]));
        var e = Assert.Throws<ArgumentException>(() => BenchComparison.ToMarkdown([a, b]));
        Assert.That(e!.Message, Does.Contain("'a.json'").And.Contain("'b.json'").And.Contain("share no case"));
    }

    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.That(png.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "PNG signature");
        Assert.That(System.Text.Encoding.ASCII.GetString(png, 12, 4), Is.EqualTo("IHDR"));
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    [Test]
    public void TheFontThePlotsUseIsInstalled()
    {
        // Without a font SkiaSharp draws plots with no text at all: fail here, clearly, rather than ship blank axes.
        Assert.That(SkiaSharp.SKFontManager.Default.FontFamilies, Does.Contain(BenchPlot.FontFamily),
            "install the Debian package fonts-dejavu-core (scripts/test.sh does when it runs as root)");
    }

    [Test]
    public void BarsPlotRendersAPngOfTheDocumentedSize()
    {
        var png = BenchPlot.Render(TestReports.Simple());
        Assert.That(PngSize(png), Is.EqualTo((BenchPlot.Width, BenchPlot.Height)));
    }

    [Test]
    public void ADensitySweepRendersAPng()
    {
        var r = TestReports.Report([TestReports.Device()],
            [TestReports.Case("d1", 1, density: 0.125), TestReports.Case("d2", 2, density: 0.25), TestReports.Case("d3", 3, density: 0.375)]);
        Assert.That(PngSize(BenchPlot.Render(r)), Is.EqualTo((BenchPlot.Width, BenchPlot.Height)));
    }

    [Test]
    public void TickLabelsDropWhatEveryCaseOfAFamilyShares()
    {
        string[] labels = BenchPlot.ShortLabels(
        [
            "linear-sparse/forward/2048x2048/t2048/b16-s32-f3", "linear-sparse/dw/2048x2048/t2048/b64-s32-f3", "gemm/2048x2048x2048",
        ]);
        Assert.That(labels, Is.EqualTo(new[] { "forward b16-s32-f3", "dw b64-s32-f3", "gemm 2048x2048x2048" }));
    }

    [Test]
    public void NothingTimedMeansNothingToPlot()
    {
        var r = TestReports.Report([TestReports.Device("ref")], [TestReports.Skipped("big")]);
        Assert.That(Assert.Throws<ArgumentException>(() => BenchPlot.Render(r))!.Message, Does.Contain("nothing to plot"));
    }
}
