using Pixelfly.Backends.Reference;
using Pixelfly.Cli.Formatting;
using Pixelfly.Cli.Parsing;
using Pixelfly.Conformance;
using Pixelfly.Devices;
using Pixelfly.IO;

namespace Pixelfly.Cli.Commands;

/// <summary>
/// `pixelfly conformance`: runs the conformance corpus on a device against the reference device, prints one line
/// per case, the counts and the rerun commands of failing cases, writes the certificate and summary, and exits 0
/// only when the device is certified.
/// </summary>
internal sealed class ConformanceCommand : ICommand
{
    public CommandSpec Spec { get; } = new(
        "conformance",
        "certify a device: run the conformance corpus on it and compare every case with the reference",
        [],
        [
            new OptionSpec("device", "ID", "device under test (cpu, vulkan:0, ...); default: PIXELFLY_DEVICE, else auto"),
            new OptionSpec("cases", "FILE", "JSON-lines case file to run instead of the built-in corpus"),
            new OptionSpec("case", "ID", "run only the case with this id (as printed, or from a rerun command)"),
            new OptionSpec("report", "CERT.json", "write the certificate (JSON) here"),
            new OptionSpec("summary", "SUMMARY.md", "write a Markdown summary here"),
            new OptionSpec("verify-xfail", null, "fail certification when a case the manifest expects to fail passes (stale entry)"),
        ],
        """
        Every case runs on the device under test and on the reference device "ref" (a float64 interpreter),
        and the outputs are compared (docs/conformance.md). Statuses: PASS, FAIL, ERROR, UNSUPPORTED (the
        device or its manifest says it cannot run the case, with the reason), XFAIL (the manifest expects the
        failure), XPASS (an expected failure passed).

        Exit code 0 only when the device is certified: no FAIL, no ERROR, at least one PASS, and with
        --verify-xfail no XPASS. Running it on "ref" itself is a self-check of the suite, not evidence.
        The certificate and summary are written when the run completes, certified or not.

        example: pixelfly conformance --device cpu --report cpu.cert.json --summary cpu.summary.md
        """);

    /// <summary>Failures of the conformance library that are about its input (a bad case or manifest file).</summary>
    public static bool IsUserError(Exception e) => e is CorpusFormatException;

    public int Execute(ParsedArguments args, CommandContext context)
    {
        string? report = args.Value("report"), summary = args.Value("summary"), casesPath = args.Value("cases"), only = args.Value("case");
        if (report is not null) OutputFiles.CheckWritable(report, "--report");
        if (summary is not null) OutputFiles.CheckWritable(summary, "--summary");
        if (report is not null && summary is not null && Path.GetFullPath(report) == Path.GetFullPath(summary))
            throw new CliException($"--report and --summary name the same file '{report}'");

        var (cases, corpusName, corpusSha) = LoadCases(casesPath);
        if (only is not null)
            cases = [cases.FirstOrDefault(c => c.Id == only) ?? throw new CliException(UnknownCase(only, cases, corpusName))];

        var o = context.Out;
        using var device = BackendRegistry.OpenDefault(args.Value("device"), log: context.Error.WriteLine);
        using var reference = BackendRegistry.Open(ReferenceBackend.BackendName);
        var manifest = DeviceManifest.ForBackend(device.Info.Backend);
        bool verify = args.Has("verify-xfail");

        o.WriteLine($"device:    {device.Info.Id} ({device.Info.Name}; driver {device.Info.Driver})");
        o.WriteLine($"reference: {reference.Info.Id} ({reference.Info.Name})");
        o.WriteLine($"corpus:    {corpusName}: {cases.Count} case(s), suite v{Corpus.SuiteVersion}, sha256 {corpusSha}");
        o.WriteLine($"manifest:  {manifest.Unsupported.Count} unsupported, {manifest.ExpectedFailures.Count} expected failure pattern(s) for backend '{manifest.Backend}'{(verify ? "; XPASS fails certification" : "")}");
        bool selfCheck = device.Info.Backend == ReferenceBackend.BackendName;
        if (selfCheck)
            o.WriteLine("note: the device under test is the reference itself: this is a self-check of the suite, not evidence that any device conforms");
        o.WriteLine();

        var runner = new ConformanceRunner(device, reference, manifest, verify) { CorpusSha256 = corpusSha };
        var result = runner.RunAll(cases, r => o.WriteLine(Line(r)));

        o.WriteLine();
        var table = new TextTable("STATUS", "CASES");
        foreach (var status in Enum.GetValues<CaseStatus>())
            table.Add(CaseResult.Label(status), result.Counts[status].ToString());
        table.Add("TOTAL", result.Results.Count.ToString());
        table.Write(o);

        var failing = result.Results.Where(r => r.Status is CaseStatus.Fail or CaseStatus.Error || (verify && r.Status == CaseStatus.UnexpectedPass)).ToArray();
        if (failing.Length > 0)
        {
            o.WriteLine();
            o.WriteLine("rerun a failing case:");
            string cases0 = casesPath is null ? "" : $" --cases {casesPath}";
            foreach (var r in failing)
                o.WriteLine($"  {result.RerunCommand(r)}{cases0}");
        }

        // Written once the run is complete, so a crash never leaves a certificate for part of the corpus.
        if (report is not null) AtomicFile.WriteAllText(report, result.ToJson());
        if (summary is not null) AtomicFile.WriteAllText(summary, result.ToMarkdown());
        o.WriteLine();
        if (report is not null) o.WriteLine($"certificate: {report}");
        if (summary is not null) o.WriteLine($"summary: {summary}");

        if (result.Certified)
        {
            o.WriteLine($"CERTIFIED: {device.Info.Id} passes {result.Passed} of {result.Results.Count} case(s){(selfCheck ? " (self-check only)" : "")}");
            return Cli.ExitOk;
        }
        string why = result.Passed == 0 && failing.Length == 0 ? "no case passed" : $"{failing.Length} failing case(s)";
        o.WriteLine($"NOT CERTIFIED: {device.Info.Id}: {why}");
        context.Error.WriteLine($"error: device '{device.Info.Id}' is not certified: {result.Failed} failed, {result.Errors} error(s)" +
            $"{(verify ? $", {result.UnexpectedPasses} unexpected pass(es)" : "")}, {result.Passed} passed of {result.Results.Count}");
        return Cli.ExitFailure;
    }

    private static (IReadOnlyList<ConformanceCase> Cases, string Name, string Sha256) LoadCases(string? path)
    {
        if (path is not null)
            return (Corpus.Load(path), path, Corpus.FileSha256(path));
        try
        {
            return (Corpus.LoadDefault(), $"built-in {Corpus.DefaultFileName}", Corpus.DefaultCorpusSha256);
        }
        catch (InvalidOperationException e)
        {
            // The corpus is embedded at build time; a build without it cannot certify anything.
            throw new CliException($"the built-in conformance corpus is not available: {e.Message}", e);
        }
    }

    private static string UnknownCase(string id, IReadOnlyList<ConformanceCase> cases, string corpusName)
    {
        // Suggest ids sharing the longest leading path, so a typo in the last segment still finds its siblings.
        var similar = cases.Select(c => c.Id)
            .Select(c => (Id: c, Common: CommonPrefix(c, id)))
            .Where(x => x.Common > 0)
            .OrderByDescending(x => x.Common).ThenBy(x => x.Id, StringComparer.Ordinal)
            .Take(5).Select(x => x.Id).ToArray();
        string hint = similar.Length > 0 ? $"; similar ids: {string.Join(", ", similar)}" : "";
        return $"no case '{id}' in {corpusName} ({cases.Count} cases){hint}";
    }

    private static int CommonPrefix(string a, string b)
    {
        int n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return n;
    }

    private static string Line(CaseResult r) =>
        string.Join(" | ", r.ToString().Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
