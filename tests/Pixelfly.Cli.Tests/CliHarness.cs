namespace Pixelfly.Cli.Tests;

/// <summary>What one in-process run of the CLI returned and printed.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
}

/// <summary>Runs the CLI in-process and checks the error contract (one "error:" line, the right exit code).</summary>
internal static class CliHarness
{
    public static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cli.Run(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Asserts success and returns stdout.</summary>
    public static string Succeeds(params string[] args)
    {
        var r = Run(args);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        return r.Out;
    }

    /// <summary>
    /// Asserts the run failed with <paramref name="exitCode"/> and exactly one stderr line "error: ..." holding every
    /// fragment; returns that line.
    /// </summary>
    public static string Fails(int exitCode, string[] args, params string[] fragments)
    {
        var r = Run(args);
        Assert.That(r.ExitCode, Is.EqualTo(exitCode), r.ToString());
        var lines = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("auto:", StringComparison.Ordinal)).ToArray();
        Assert.That(lines, Has.Length.EqualTo(1), r.ToString());
        Assert.That(lines[0], Does.StartWith("error: "), r.ToString());
        Assert.That(lines[0], Does.Not.Contain("internal error"), r.ToString());
        foreach (var f in fragments)
            Assert.That(lines[0], Does.Contain(f), r.ToString());
        return lines[0];
    }

    /// <summary>The repository root (the folder holding Pixelfly.sln), found upwards from the test binaries.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pixelfly.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no Pixelfly.sln above {TestContext.CurrentContext.TestDirectory}");
    }
}
