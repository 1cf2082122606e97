using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Backends.Cuda.Planning;
using Pixelfly.Backends.Cuda.Runtime;
using Pixelfly.Conformance;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>
/// Every conformance case the CUDA backend supports, compiled as far as the host goes (no GPU): memory plan, the real
/// lowering, argument resolution and the launch checks against the H100's limits. Every variant a launch names must
/// be one AllVariants lists, since that list is what CI compiles with NVRTC: a variant missing from it would reach a
/// GPU uncompiled and unchecked.
/// </summary>
public sealed class CorpusProgramTests
{
    private static CudaLoweringLimits LimitsOf(string device) => device switch
    {
        "H100" => CudaLoweringLimits.H100,
        "H100 tf32" => CudaLoweringLimits.H100 with { Tf32 = true },
        _ => new CudaLoweringLimits(80, 108, 166912, false), // A100
    };

    [TestCase("H100")]
    [TestCase("H100 tf32")]
    [TestCase("A100")]
    public void Every_supported_corpus_case_lowers_within_the_limits_using_only_listed_variants(string device)
    {
        var limits = LimitsOf(device);
        var lowering = CudaLowering.Instance;
        var listed = lowering.AllVariants(limits).ToHashSet();
        var problems = new List<string>();
        int built = 0;
        foreach (var c in Corpus.LoadDefault())
        {
            var g = c.Graph;
            bool supported = g.Nodes.All(n => lowering.Supports(n.Op, n.Inputs.Select(i => g.Values[i].Type).ToArray()).IsSupported)
                && g.Values.All(v => v.Type.DType != Tensors.DType.F64);
            if (!supported) continue;
            try
            {
                var (inputSlot, outputSlot) = MemoryPlannerTests.Slots(g);
                var plan = CudaMemoryPlanner.Plan(g, inputSlot, outputSlot);
                var program = CudaProgramBuilder.Build(g, lowering, limits, plan, outputSlot);
                foreach (var v in program.Variants.Where(v => !listed.Contains(v)))
                    problems.Add($"{c.Id}: launches {v.Key}, which AllVariants does not list");
                built++;
            }
            catch (Exception e) when (e is InvalidOperationException or Devices.UnsupportedOpException or ArgumentException or KeyNotFoundException)
            {
                problems.Add($"{c.Id}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.That(problems, Is.Empty, string.Join("\n", problems.Take(40)));
        Assert.That(built, Is.GreaterThan(0), "no corpus case is supported by the CUDA lowering");
        TestContext.Out.WriteLine($"{built} corpus cases lowered for {limits}");
    }
}
