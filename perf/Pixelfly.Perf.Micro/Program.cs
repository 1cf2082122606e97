using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Pixelfly.Perf.Micro.Support;

namespace Pixelfly.Perf.Micro;

/// <summary>
/// BenchmarkDotNet micro-benchmarks of the CPU backend's matmul kernels (micro-kernels, packing, dense GEMM and the
/// block-sparse Dds/Sdd modes, with OpenBLAS sgemm as the baseline), and `training-step` (dense vs Pixelfly training
/// steps, interleaved). Release only; never run by the tests. Typical use
/// (see docs/cpu-backend.md):
/// <code>
/// env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Cooperlake dotnet run -c Release --project perf/Pixelfly.Perf.Micro -- \
///     --filter '*BlockSparse*' --inProcess --warmupCount 3 --iterationCount 3 --iterationTime 100
/// </code>
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks that BenchmarkDotNet's command line selects (<c>--list flat</c> lists them).</summary>
    public static int Main(string[] args)
    {
        // Not a BenchmarkDotNet run: whole training steps, dense vs Pixelfly, interleaved (see TrainingStepComparison).
        if (args.Length > 0 && args[0] == "training-step") return TrainingStep.TrainingStepComparison.Run(args[1..]);
        // Results go under artifacts/ (ignored by git) unless --artifacts says otherwise.
        var config = DefaultConfig.Instance.AddColumn(new GflopsColumn()).WithArtifactsPath(Path.Combine("artifacts", "benchmarks"));
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
