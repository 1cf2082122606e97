namespace Pixelfly.Conformance.Tests;

public sealed class ManifestTests
{
    [TestCase("bsmm/*", "bsmm/dds/b16/butterfly/ta0-tb1", true)]
    [TestCase("*/b16/*", "bsmm/dds/b16/butterfly/ta0-tb1", true)]
    [TestCase("*tb1", "bsmm/dds/b16/butterfly/ta0-tb1", true)]
    [TestCase("unary/?xp/f32", "unary/exp/f32", true)]
    [TestCase("unary/exp", "unary/exp/f32", false)]
    [TestCase("bsmm/sdd/*", "bsmm/dds/b16/butterfly/ta0-tb1", false)]
    [TestCase("*/f16", "unary/exp/f32", false)]
    [TestCase("*", "anything/at/all", true)]
    public void PatternsAreGlobsOverWholeIds(string pattern, string id, bool matches) =>
        Assert.That(new ManifestEntry(pattern, "r").Matches(id), Is.EqualTo(matches));

    [Test]
    public void AManifestParsesBothLists()
    {
        var m = DeviceManifest.Parse("""
            {"backend": "vulkan",
             "unsupported": [{"pattern": "*/f64*", "reason": "no f64 on this GPU"}],
             "expected_failures": [{"pattern": "bsmm/sdd/b64/*", "reason": "tile bug, issue 42"}]}
            """, "m.json");
        Assert.That(m.Backend, Is.EqualTo("vulkan"));
        Assert.That(m.FindUnsupported("cast/f64-to-f32")?.Reason, Is.EqualTo("no f64 on this GPU"));
        Assert.That(m.FindExpectedFailure("bsmm/sdd/b64/butterfly/ta0-tb0")?.Reason, Is.EqualTo("tile bug, issue 42"));
        Assert.That(m.FindExpectedFailure("bsmm/sdd/b32/butterfly/ta0-tb0"), Is.Null);
    }

    [TestCase("""{"backend": "x", "unsupported": [{"pattern": "a/*"}]}""", "unsupported[0] ('a/*'): every entry needs a reason")]
    [TestCase("""{"backend": "x", "expected_failures": [{"pattern": "", "reason": "r"}]}""", "expected_failures[0]: the pattern is empty")]
    [TestCase("""{"backend": "x", "skip": []}""", "unknown property 'skip'")]
    [TestCase("""{"unsupported": []}""", "missing required property \"backend\"")]
    [TestCase("""{"backend": "x", """, "m.json:")]
    public void ABadManifestSaysWhatIsWrong(string json, string expected)
    {
        var e = Assert.Throws<CorpusFormatException>(() => DeviceManifest.Parse(json, "m.json"));
        Assert.That(e!.Message, Does.StartWith("m.json:").And.Contain(expected));
    }

    [Test]
    public void ABackendWithoutAManifestGetsAnEmptyOne()
    {
        var m = DeviceManifest.ForBackend("no-such-backend");
        Assert.That(m.Backend, Is.EqualTo("no-such-backend"));
        Assert.That(m.Unsupported, Is.Empty);
        Assert.That(m.ExpectedFailures, Is.Empty);
    }

    [Test]
    public void EveryShippedManifestLoadsAndNamesItsBackend()
    {
        string dir = Path.Combine(CorpusTests.RepositoryRoot(), "conformance", "manifests");
        var files = Directory.GetFiles(dir, "manifest.*.json");
        foreach (var file in files)
        {
            string backend = Path.GetFileNameWithoutExtension(file)["manifest.".Length..];
            Assert.That(DeviceManifest.Load(file).Backend, Is.EqualTo(backend), file);
            Assert.That(DeviceManifest.ForBackend(backend), Is.Not.Null);
        }
    }
}
