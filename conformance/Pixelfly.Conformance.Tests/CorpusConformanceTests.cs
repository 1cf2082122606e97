using Pixelfly.Devices;

namespace Pixelfly.Conformance.Tests;

/// <summary>The whole checked-in corpus on every device: one test per case, named by its id.</summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.Ids))]
[Parallelizable(ParallelScope.None)]
public sealed class CorpusConformanceTests(string deviceId)
{
    private IDevice? _device;
    private IDevice? _reference;
    private ConformanceRunner? _runner;

    /// <summary>Every case id of the embedded corpus.</summary>
    public static IEnumerable<TestCaseData> CaseIds() =>
        Corpus.LoadDefault().Select(c => new TestCaseData(c.Id).SetName(c.Id));

    [OneTimeSetUp]
    public void OpenDevices()
    {
        _device = TestDevices.OpenOrIgnore(deviceId);
        _reference = TestDevices.Reference();
        _runner = new ConformanceRunner(_device, _reference, DeviceManifest.ForBackend(_device.Info.Backend));
    }

    [TearDown]
    public void NoValidationMessages()
    {
        var messages = TestDevices.TakeValidationMessages(_device);
        Assert.That(messages, Is.Empty, () => $"the Khronos validation layer reported on {deviceId}:\n{string.Join("\n", messages)}");
    }

    [OneTimeTearDown]
    public void CloseDevices()
    {
        _device?.Dispose();
        _reference?.Dispose();
        // The layer also reports objects still alive when the device is destroyed.
        var messages = TestDevices.TakeValidationMessages(_device);
        Assert.That(messages, Is.Empty, () => $"the Khronos validation layer reported when {deviceId} closed:\n{string.Join("\n", messages)}");
    }

    [TestCaseSource(nameof(CaseIds))]
    public void CaseConformsToTheReference(string caseId)
    {
        var c = Corpus.LoadDefault().Single(x => x.Id == caseId);
        var r = _runner!.Run(c);
        if (r.Status is CaseStatus.Unsupported or CaseStatus.ExpectedFailure)
            Assert.Ignore($"{CaseResult.Label(r.Status)} on {deviceId}: {r.Detail}");
        // An UnexpectedPass fails here too: the suite runs as CI does, with stale expected failures verified.
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Pass), () => $"{r}\nrerun: pixelfly conformance --device {deviceId} --case {caseId}");
    }
}
