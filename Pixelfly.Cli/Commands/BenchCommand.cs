using System.Globalization;
using Pixelfly.Backends.Cpu;
using Pixelfly.Backends.Reference;
using Pixelfly.Conformance;
using Pixelfly.Cli.Formatting;
using Pixelfly.Cli.Parsing;
using Pixelfly.Devices;
using Pixelfly.IO;
using Pixelfly.Perf;
using Pixelfly.Perf.Baselines;
using Pixelfly.Perf.Cases;
using Pixelfly.Perf.Guard;
using Pixelfly.Perf.Protocol;
using Pixelfly.Perf.Reports;

namespace Pixelfly.Cli.Commands;

/// <summary>
/// `pixelfly bench`: times perf cases on one or more devices against their dense baselines (and OpenBLAS on the
/// CPU), prints a Markdown table, and writes JSON and a PNG plot; or lists cases, exports them, or compares results.
/// </summary>
internal sealed class BenchCommand : ICommand
{
    private const string DefaultSuite = PerfCatalog.CpuHeadline;

    public CommandSpec Spec { get; } = new(
        "bench",
        "time perf cases on devices against dense baselines and OpenBLAS; Markdown, JSON, plot, compare",
        [],
        [
            new OptionSpec("device", "IDS", "comma-separated devices (cpu,ref); default: PIXELFLY_DEVICE, else auto"),
            new OptionSpec("suite", "NAME", $"run a suite: {string.Join(", ", PerfCatalog.Suites.Select(s => s.Name))} (default {DefaultSuite})"),
            new OptionSpec("case", "IDS", "run only these case ids (comma-separated; '*' matches anything), within --suite if given"),
            new OptionSpec("cases", "FILE", "read perf cases from a JSON-lines file (as --export-cases writes) instead of the built-in ones"),
            new OptionSpec("trials", "N", "timed trials per measurement (default 7)"),
            new OptionSpec("min-trial-ms", "MS", "each trial repeats runs for at least this long (default 200)"),
            new OptionSpec("threads", "N", "threads for the cpu device and OpenBLAS (default: the cpu device's own, all cores)"),
            new OptionSpec("json", "FILE", "write the results with provenance as JSON"),
            new OptionSpec("plot", "FILE.png", "draw the results as a PNG"),
            new OptionSpec("list", null, "list suites and cases (with --suite: that suite's) and exit"),
            new OptionSpec("export-cases", "FILE", "write the selected cases as JSON lines (graphs and input specs) and exit"),
            new OptionSpec("compare", null, "compare result files A.json [B.json] instead of running: ratios B/A per case (with --plot: redraw A)"),
            new OptionSpec("baselines", "FILE", "with --compare A.json: print issue 6's goals table of A against external baselines (scripts/gpu/torch_baselines.py's JSON)"),
        ],
        """
        Protocol (docs/PERFORMANCE.md): per device the peak FMA throughput is measured once; per case the
        program and its baselines are compiled and warmed up outside the timing, then timed in interleaved
        trials (case, dense, OpenBLAS, rotating), each trial repeating runs for --min-trial-ms. Reported:
        median and min/max per run, useful GFLOP/s (stored blocks only), dense-equivalent GFLOP/s, % of peak,
        and time ratios to our dense matmul on the same device and to OpenBLAS sgemm (CPU; paired per trial),
        GB/s of minimal traffic (inputs read once, outputs written once) and % of the measured read bandwidth.
        Devices with their own timestamps are timed on that clock (the JSON says which clock per case).

        Conformance guard: before a case is timed on a device, the conformance corpus cases with the same op
        signatures (op, sparse mode, transposes, block size, dtypes) run on it against the reference (once per
        device and run), small cases are compared with the reference themselves, and the warmed-up outputs are
        checked for NaN/Inf. A case that fails gets the status "conformance-failed" and no numbers at all.

        The Markdown table goes to stdout, progress to stderr. OpenBLAS (libopenblas.so.0) is timed when it
        loads, with its kernel family ("core") reported: OPENBLAS_CORETYPE picks it and OPENBLAS_L2_SIZE
        changes its blocking, so set them for this command only; scripts/bench.sh unsets OPENBLAS_L2_SIZE and
        sets OPENBLAS_CORETYPE to an AVX-512 family on AVX-512 CPUs (OpenBLAS 0.3.21 falls back to SSE3
        "Prescott" kernels on CPU models it does not know). A warning says when the baseline is not at its best.
        The reference device "ref" is a float64 interpreter: it only runs small cases (--suite smoke); bigger
        ones are reported as skipped. Exit code 1 when a case failed to run or failed the conformance guard (the
        files are still written).

        examples:
          pixelfly bench --device cpu --suite cpu-headline --json out.json --plot out.png
          pixelfly bench --list
          pixelfly bench --device cpu,ref --suite smoke
          pixelfly bench --compare before.json after.json
          pixelfly bench --compare out.json --plot out.png      (redraw the plot of a result file)
          pixelfly bench --compare gpu.json --baselines torch.json   (goals table against cuBLAS / torch BSR)
        """)
    {
        OptionalPositionals = ["A.json", "B.json"],
    };

    /// <summary>Failures of the perf library that are about its input (a bad case or result file).</summary>
    public static bool IsUserError(Exception e) => e is BenchFormatException;

    public int Execute(ParsedArguments args, CommandContext context)
    {
        if (args.Has("compare")) return Compare(args, context);
        if (args.Has("baselines"))
            throw new UsageException("--baselines is read with --compare: pixelfly bench --compare A.json --baselines torch.json");
        if (args.PositionalCount > 0)
            throw new UsageException($"unexpected argument '{args.Positional(0)}' for 'pixelfly bench' (result files are read only with --compare); see 'pixelfly bench --help'");

        var (cases, source) = SelectCases(args);
        if (args.Has("list"))
        {
            List(cases, source, context.Out);
            return Cli.ExitOk;
        }
        if (args.Value("export-cases") is { } export)
        {
            OutputFiles.CheckWritable(export, "--export-cases");
            AtomicFile.WriteAllText(export, PerfCaseJson.ToJsonl(cases));
            context.Out.WriteLine($"wrote {cases.Count} case(s) from {source} to {export}");
            return Cli.ExitOk;
        }
        return RunBench(args, context, cases, source);
    }

    private static int RunBench(ParsedArguments args, CommandContext context, IReadOnlyList<PerfCase> cases, string source)
    {
        var settings = Settings(args);
        string? json = args.Value("json"), plot = args.Value("plot");
        if (json is not null) OutputFiles.CheckWritable(json, "--json");
        if (plot is not null) CheckPlotPath(plot);
        if (json is not null && plot is not null && Path.GetFullPath(json) == Path.GetFullPath(plot))
            throw new CliException($"--json and --plot name the same file '{json}'");

        var ids = DeviceIds(args.Value("device"));
        // Resolve every id before opening any device or running anything, so a typo fails at once.
        var found = ids.Select(id => BackendRegistry.Find(id, context.Error.WriteLine)).ToArray();
        var err = context.Error;
        if (found.Any(f => f.Backend.Name == "ref") && cases.Any(c => c.DenseFlops > settings.RefMaxDenseFlops))
            err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"note: 'ref' is a float64 interpreter: it skips the {cases.Count(c => c.DenseFlops > settings.RefMaxDenseFlops)} case(s) above {settings.RefMaxDenseFlops / 1e9:0.###} dense GFLOP (--suite smoke fits)"));
        if (settings.Threads is not null && found.Any(f => f.Backend.Name is not "cpu"))
            err.WriteLine("note: --threads sizes the cpu device and OpenBLAS; other devices keep their own parallelism");

        OpenBlas? blas = null;
        string? blasReason = null;
        if (found.Any(f => f.Backend.Name == "cpu"))
        {
            if (!OpenBlas.TryLoad(out blas, out blasReason))
                err.WriteLine($"note: no OpenBLAS baseline: {blasReason}");
            else if (blas!.KernelWarning() is { } warning)
                err.WriteLine($"warning: {warning}");
        }

        var devices = new List<IDevice>();
        IDevice? reference = null;
        try
        {
            reference = BackendRegistry.Open(ReferenceBackend.BackendName);
            foreach (var (backend, info) in found)
                devices.Add(backend.Name == CpuBackend.BackendName && settings.Threads is { } n
                    ? new CpuDevice(DeviceOptions.FromEnvironment(), n)
                    : backend.Open(info, DeviceOptions.FromEnvironment()));
            err.WriteLine($"bench: {cases.Count} case(s) from {source} on {string.Join(", ", devices.Select(d => d.Info.Id))}; {settings.Trials} trial(s) of >= {settings.MinTrialMs} ms");
            var runner = new BenchRunner(settings, blas, blasReason, err.WriteLine) { Guard = new ConformanceGuard(reference, Corpus.LoadDefault(), err.WriteLine) };
            var report = runner.Run(devices, cases, source);

            // Render everything first: a failure leaves no file behind.
            bool anyTimed = report.Results.Any(r => r.IsOk);
            if (plot is not null && !anyTimed)
                err.WriteLine($"note: no plot written to {plot}: no case was timed");
            byte[]? png = plot is null || !anyTimed ? null : BenchPlot.Render(report);
            if (json is not null) AtomicFile.WriteAllText(json, BenchReportJson.Serialize(report));
            if (png is not null) AtomicFile.WriteAllBytes(plot!, png);
            context.Out.Write(MarkdownReport.Write(report));
            if (json is not null) err.WriteLine($"results: {json}");
            if (png is not null) err.WriteLine($"plot: {plot}");

            var failed = report.Results.Where(r => r.Status == CaseReport.Error).ToArray();
            var wrong = report.Results.Where(r => r.Status == CaseReport.ConformanceFailed).ToArray();
            if (failed.Length == 0 && wrong.Length == 0) return Cli.ExitOk;
            if (failed.Length > 0)
                err.WriteLine($"error: {failed.Length} case(s) failed to run: {string.Join("; ", failed.Select(f => $"{f.Name} on {f.Device}: {f.Reason}"))}");
            if (wrong.Length > 0)
                err.WriteLine($"error: {wrong.Length} case(s) failed the conformance guard and were not timed: {string.Join("; ", wrong.Select(f => $"{f.Name} on {f.Device}: {f.Reason}"))}");
            return Cli.ExitFailure;
        }
        finally
        {
            foreach (var d in devices) d.Dispose();
            reference?.Dispose();
        }
    }

    private static int Compare(ParsedArguments args, CommandContext context)
    {
        var extra = args.Spec.Options.Where(o => o.Name is not ("compare" or "plot" or "baselines") && args.Has(o.Name)).Select(o => "--" + o.Name).ToArray();
        if (extra.Length > 0)
            throw new UsageException($"--compare only reads result files; it does not take {string.Join(", ", extra)}");
        if (args.PositionalCount == 0)
            throw new UsageException("--compare needs one or two result files: pixelfly bench --compare A.json [B.json]");
        if (args.Value("baselines") is { } baselinesFile)
        {
            if (args.PositionalCount != 1 || args.Has("plot"))
                throw new UsageException("--baselines sets one result file against external baselines: pixelfly bench --compare A.json --baselines torch.json");
            var report = BenchReportJson.Load(args.Positional(0));
            context.Out.Write(GpuGoals.ToMarkdown(report, ExternalBaselines.Load(baselinesFile)));
            return Cli.ExitOk;
        }
        string? plot = args.Value("plot");
        if (plot is not null && args.PositionalCount != 1)
            throw new UsageException("--compare with --plot draws one result file: pixelfly bench --compare A.json --plot A.png");
        if (plot is not null) CheckPlotPath(plot);
        var inputs = Enumerable.Range(0, args.PositionalCount)
            .Select(i => new BenchComparison.Input(i == 0 ? "A" : "B", args.Positional(i), BenchReportJson.Load(args.Positional(i))))
            .ToArray();
        string markdown = BenchComparison.ToMarkdown(inputs);
        if (plot is not null) AtomicFile.WriteAllBytes(plot, BenchPlot.Render(inputs[0].Report));
        context.Out.Write(markdown);
        return Cli.ExitOk;
    }

    private static void CheckPlotPath(string plot)
    {
        OutputFiles.CheckWritable(plot, "--plot");
        if (!plot.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new CliException($"--plot '{plot}': the plot is a PNG; give a file name ending in .png");
    }

    private static (IReadOnlyList<PerfCase> Cases, string Source) SelectCases(ParsedArguments args)
    {
        string? file = args.Value("cases"), suite = args.Value("suite"), only = args.Value("case");
        IReadOnlyList<PerfCase> pool;
        string source;
        if (file is not null)
        {
            pool = PerfCaseJson.Load(file);
            source = $"case file {file}";
            if (suite is not null)
            {
                pool = pool.Where(c => c.InSuite(suite)).ToArray();
                if (pool.Count == 0)
                    throw new CliException($"no case of '{file}' is in suite '{suite}'");
                source += $", suite {suite}";
            }
        }
        else if (suite is not null || (only is null && !args.Has("list")))
        {
            suite ??= DefaultSuite;
            pool = Catch(() => PerfCatalog.Suite(suite));
            source = $"suite {suite}";
        }
        else
        {
            pool = PerfCatalog.All;
            source = "built-in cases";
        }
        if (only is null) return (pool, source);
        var chosen = Catch(() => PerfCatalog.Select(pool, only, source));
        return (chosen, $"{source}, cases {only}");
    }

    private static T Catch<T>(Func<T> f)
    {
        try
        {
            return f();
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message, e);
        }
    }

    private static BenchSettings Settings(ParsedArguments args)
    {
        var d = new BenchSettings();
        int trials = args.Int("trials") ?? d.Trials;
        if (trials < 1 || trials > BenchSettings.MaxTrials)
            throw new CliException($"--trials must be between 1 and {BenchSettings.MaxTrials}, got {trials}");
        int minTrial = args.Int("min-trial-ms") ?? (int)d.MinTrialMs;
        if (minTrial < 1 || minTrial > BenchSettings.MaxTrialMs)
            throw new CliException($"--min-trial-ms must be between 1 and {BenchSettings.MaxTrialMs} ms, got {minTrial}");
        int? threads = args.Int("threads");
        if (threads is < 1 or > 4096)
            throw new CliException($"--threads must be between 1 and 4096, got {threads}");
        return d with { Trials = trials, MinTrialMs = minTrial, Threads = threads };
    }

    private static string[] DeviceIds(string? option)
    {
        string spec = BackendRegistry.ResolveSpec(option);
        var ids = spec.Split(',', StringSplitOptions.TrimEntries).ToArray();
        if (ids.Any(id => id.Length == 0))
            throw new CliException($"--device '{spec}' has an empty entry; give device ids separated by commas, e.g. cpu,ref");
        var dup = ids.GroupBy(id => id.ToLowerInvariant()).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new CliException($"--device lists '{dup.Key}' twice");
        return ids;
    }

    private static void List(IReadOnlyList<PerfCase> cases, string source, TextWriter o)
    {
        o.WriteLine("suites:");
        foreach (var (name, description) in PerfCatalog.Suites)
            o.WriteLine($"  {name.PadRight(14)}{description}");
        o.WriteLine();
        o.WriteLine($"cases ({source}: {cases.Count}):");
        var table = new TextTable("ID", "KIND", "B", "DENSITY", "DENSE SHAPE", "USEFUL GFLOP", "DENSE GFLOP", "SUITES");
        foreach (var c in cases)
            table.Add(c.Id, c.Kind.Name(), c.BlockSize?.ToString(CultureInfo.InvariantCulture) ?? "-",
                c.Density is { } d ? d.ToString("0.####", CultureInfo.InvariantCulture) : "-",
                c.DenseShape?.ToString() ?? "-",
                (c.UsefulFlops / 1e9).ToString("0.###", CultureInfo.InvariantCulture),
                (c.DenseFlops / 1e9).ToString("0.###", CultureInfo.InvariantCulture),
                string.Join(",", c.Suites));
        table.Write(o, "  ");
    }
}
