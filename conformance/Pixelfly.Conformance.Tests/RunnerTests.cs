using Pixelfly.Devices;

namespace Pixelfly.Conformance.Tests;

/// <summary>The runner catches each kind of broken device, and reports it with the right status and detail.</summary>
public sealed class RunnerTests
{
    private IDevice _reference = null!;

    [OneTimeSetUp]
    public void Open() => _reference = TestDevices.Reference();

    [OneTimeTearDown]
    public void Close() => _reference.Dispose();

    private static ConformanceCase Case(string id) => Corpus.LoadDefault().Single(c => c.Id == id);

    private CaseResult RunOn(Fault fault, string caseId, DeviceManifest? manifest = null, params string[] unsupported)
    {
        var device = new FaultyDevice(_reference, fault, unsupported);
        return new ConformanceRunner(device, _reference, manifest ?? DeviceManifest.Empty("faulty")).Run(Case(caseId));
    }

    [TestCase("matmul/f32/ta1-tb0")]
    [TestCase("bsmm/sdd/b16/butterfly/ta0-tb1")]
    [TestCase("grad/layer_norm")]
    [TestCase("model/pixelfly-mlp/b16-s8-f2/adamw-20-steps")]
    public void AHealthyDevicePasses(string caseId)
    {
        var r = RunOn(Fault.None, caseId);
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Pass), r.ToString());
        Assert.That(r.Outputs, Is.Not.Empty);
    }

    [Test]
    public void ACorruptedElementFailsTheNumericThresholds()
    {
        var r = RunOn(Fault.CorruptOneElement, "bsmm/dds/b32/butterfly/ta0-tb1");
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Fail));
        Assert.That(r.Detail, Does.Contain("output 'y'").And.Contain("NMSE").And.Contain("max relative error"));
        Assert.That(r.Outputs.Single().Nmse, Is.GreaterThan(Tolerances.F32.Nmse));
    }

    [Test]
    public void ACorruptedElementFailsAnExactCaseAtItsIndex()
    {
        var r = RunOn(Fault.CorruptOneElement, "matmul/f32/exact");
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Fail));
        // Element 5 of a [24, 20] output is [0,5].
        Assert.That(r.Detail, Does.Contain("1 of 480 elements differ").And.Contain("[0,5]"));
    }

    [Test]
    public void AnUnwrittenElementIsReportedByIndex()
    {
        var r = RunOn(Fault.LeaveOneUnwritten, "unary/exp/f32");
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Fail));
        Assert.That(r.Detail, Does.Contain("element 5 [0,5] was not written").And.Contain("1 of 231 unwritten"));
    }

    [Test]
    public void AWriteOutsideTheSparseOutputHitsTheGuardBand()
    {
        var r = RunOn(Fault.WriteIntoGuard, "bsmm/sdd/b16/single/ta0-tb0");
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Fail));
        Assert.That(r.Detail, Does.Contain("output 'y'").And.Contain("guard band was overwritten"));
    }

    [Test]
    public void ANaNWhereTheReferenceIsFiniteFailsParity()
    {
        var r = RunOn(Fault.ReturnNaN, "softmax/f32/last");
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Fail));
        Assert.That(r.Detail, Does.Contain("NaN/Inf parity differs at element 5 [0,5]: device NaN"));
    }

    [Test]
    public void ACaseDuringWhichTheDeviceReportedADiagnosticIsAnError()
    {
        // Right results, but the driver's validation layer complained: not certified.
        var r = RunOn(Fault.ReportDiagnostic, "softmax/f32/last");
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Error));
        Assert.That(r.Detail, Does.Contain("reported 1 diagnostic message(s)").And.Contain("VUID-faulty-00001"));
    }

    [Test]
    public void AModifiedInputFails()
    {
        var r = RunOn(Fault.ModifyInput, "binary/add/f32/broadcast");
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Fail));
        Assert.That(r.Detail, Does.Contain("input 'a'").And.Contain("was modified by the run"));
    }

    [Test]
    public void ALossCurveThatDriftsFailsAtTheStepWhereItDrifts()
    {
        var r = RunOn(Fault.DriftLossFromStep3, "model/pixelfly-mlp/b16-s8-f2/adamw-20-steps");
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Fail));
        Assert.That(r.Detail, Does.StartWith("loss at step 3:"));
        Assert.That(r.LossCurve, Has.Count.EqualTo(20));
        Assert.That(r.LossCurve![1].RelError, Is.LessThanOrEqualTo(Tolerances.LossRelTolerance));
    }

    [Test]
    public void AnOpTheDeviceRefusesMakesTheCaseUnsupportedWithTheReason()
    {
        var r = RunOn(Fault.None, "grad/bsmm/sdd/b16/butterfly/ta0-tb0", null, "block_sparse_matmul");
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Unsupported));
        Assert.That(r.Detail, Does.Contain("(block_sparse_matmul").And.Contain("the faulty device refuses 'block_sparse_matmul'"));
    }

    [Test]
    public void AnExceptionDuringTheRunIsAnError()
    {
        var r = RunOn(Fault.ThrowOnRun, "unary/exp/f32");
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Error));
        Assert.That(r.Detail, Does.Contain("run failed: InvalidOperationException: the faulty kernel crashed"));
    }

    [Test]
    public void TheManifestMarksCasesUnsupportedWithoutRunningThem()
    {
        var manifest = new DeviceManifest("faulty", [new ManifestEntry("unary/*", "no transcendental kernels yet")], []);
        var r = RunOn(Fault.ThrowOnRun, "unary/exp/f32", manifest);
        Assert.That(r.Status, Is.EqualTo(CaseStatus.Unsupported));
        Assert.That(r.Detail, Does.Contain("no transcendental kernels yet"));
    }

    [Test]
    public void AnExpectedFailureThatFailsIsExpectedAndOneThatPassesIsUnexpected()
    {
        var manifest = new DeviceManifest("faulty", [], [new ManifestEntry("matmul/f32/exact", "known bug #12")]);
        var failing = RunOn(Fault.CorruptOneElement, "matmul/f32/exact", manifest);
        var passing = RunOn(Fault.None, "matmul/f32/exact", manifest);
        Assert.That(failing.Status, Is.EqualTo(CaseStatus.ExpectedFailure));
        Assert.That(failing.Detail, Does.Contain("known bug #12").And.Contain("differ from the reference"));
        Assert.That(passing.Status, Is.EqualTo(CaseStatus.UnexpectedPass));
        Assert.That(passing.Detail, Does.Contain("known bug #12"));
    }

    [Test]
    public void RunAllReportsEveryResultAndCertifiesOnlyACleanRun()
    {
        var cases = new[] { Case("unary/exp/f32"), Case("matmul/f32/exact") };
        var seen = new List<string>();
        var healthy = new ConformanceRunner(new FaultyDevice(_reference, Fault.None), _reference, DeviceManifest.Empty("faulty"))
            .RunAll(cases, r => seen.Add(r.CaseId));
        var broken = new ConformanceRunner(new FaultyDevice(_reference, Fault.CorruptOneElement), _reference, DeviceManifest.Empty("faulty"))
            .RunAll(cases);
        Assert.That(seen, Is.EqualTo(cases.Select(c => c.Id)));
        Assert.That(healthy.Certified, Is.True);
        Assert.That(healthy.Passed, Is.EqualTo(2));
        Assert.That(broken.Certified, Is.False);
        Assert.That(broken.Failed, Is.EqualTo(2));
    }

    [Test]
    public void UnexpectedPassesBreakCertificationOnlyWhenVerified()
    {
        var manifest = new DeviceManifest("faulty", [], [new ManifestEntry("unary/exp/*", "flaky exp")]);
        var cases = new[] { Case("unary/exp/f32"), Case("unary/neg/f32") };
        var device = new FaultyDevice(_reference, Fault.None);
        var lenient = new ConformanceRunner(device, _reference, manifest).RunAll(cases);
        var strict = new ConformanceRunner(device, _reference, manifest, verifyExpectedFailures: true).RunAll(cases);
        Assert.That(lenient.UnexpectedPasses, Is.EqualTo(1));
        Assert.That(lenient.Certified, Is.True);
        Assert.That(strict.Certified, Is.False);
    }
}
