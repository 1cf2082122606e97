namespace Pixelfly.Cli.Tests;

/// <summary>The command-line contract: help, usage errors (exit 2) and the top-level error line.</summary>
public sealed class CommandLineTests
{
    private static readonly string[][] Commands =
        [["devices"], ["layout"], ["run"], ["tensors", "show"], ["tensors", "from-json"], ["conformance"]];

    [Test]
    public void HelpListsEveryCommand()
    {
        foreach (var help in new[] { "--help", "-h", "help" })
        {
            string stdout = CliHarness.Succeeds(help);
            Assert.That(stdout, Does.StartWith("usage: pixelfly <command>"));
            foreach (var c in Commands)
                Assert.That(stdout, Does.Contain("  " + string.Join(' ', c) + " "), string.Join(' ', c));
            Assert.That(stdout, Does.Contain("PIXELFLY_DEVICE").And.Contain("PIXELFLY_DISABLE").And.Contain("Exit codes"));
        }
    }

    [TestCaseSource(nameof(Commands))]
    public void EveryCommandPrintsItsUsageWithHelp(string[] command)
    {
        string stdout = CliHarness.Succeeds([.. command, "--help"]);
        Assert.That(stdout, Does.StartWith($"usage: pixelfly {string.Join(' ', command)}"));
        Assert.That(stdout, Does.Contain("--help"));
    }

    [Test]
    public void HelpWinsOverOtherwiseBadArguments() =>
        Assert.That(CliHarness.Succeeds("layout", "--rows", "x", "--bogus", "-h"), Does.StartWith("usage: pixelfly layout"));

    [Test]
    public void TheGroupPrintsItsSubCommandsWithHelp() =>
        Assert.That(CliHarness.Succeeds("tensors", "--help"), Does.Contain("tensors show").And.Contain("tensors from-json"));

    [Test]
    public void VersionPrintsTheVersion() =>
        Assert.That(CliHarness.Succeeds("--version"), Does.StartWith("pixelfly "));

    [Test]
    public void NoCommandIsAUsageError() => CliHarness.Fails(2, [], "no command given");

    [Test]
    public void AnUnknownCommandIsAUsageErrorListingTheCommands() =>
        CliHarness.Fails(2, ["trian"], "unknown command 'trian'", "devices, layout, run, tensors, conformance");

    [Test]
    public void AGroupWithoutItsSubCommandIsAUsageError() =>
        CliHarness.Fails(2, ["tensors"], "needs a sub-command: show, from-json");

    [Test]
    public void AnUnknownSubCommandIsAUsageError() =>
        CliHarness.Fails(2, ["tensors", "cat", "x"], "unknown sub-command 'cat'");

    [Test]
    public void AnUnknownOptionIsAUsageError() =>
        CliHarness.Fails(2, ["devices", "--jsno"], "unknown option '--jsno'", "pixelfly devices --help");

    [Test]
    public void AShortOptionIsAUsageError() =>
        CliHarness.Fails(2, ["devices", "-j"], "unknown option '-j'");

    [Test]
    public void AnOptionWithoutItsValueIsAUsageError() =>
        CliHarness.Fails(2, ["run", "g.json", "--output"], "option '--output' needs a value");

    [Test]
    public void AnOptionFollowedByAnotherOptionHasNoValue() =>
        CliHarness.Fails(2, ["run", "g.json", "--output", "--device", "ref"], "option '--output' needs a value");

    [Test]
    public void AnOptionGivenTwiceIsAUsageError() =>
        CliHarness.Fails(2, ["run", "g.json", "--output", "a", "--output", "b"], "option '--output' is given twice");

    [Test]
    public void AFlagWithAValueIsAUsageError() =>
        CliHarness.Fails(2, ["devices", "--json=yes"], "takes no value");

    [Test]
    public void AMissingPositionalIsAUsageError() =>
        CliHarness.Fails(2, ["run", "--output", "o.safetensors"], "missing argument GRAPH");

    [Test]
    public void AnExtraPositionalIsAUsageError() =>
        CliHarness.Fails(2, ["devices", "cpu"], "unexpected argument 'cpu'");

    [Test]
    public void EqualsFormAndDoubleDashAreAccepted()
    {
        string stdout = CliHarness.Succeeds("layout", "--rows=8", "--cols=8", "--block=2", "--butterfly=4", "--factors=1");
        Assert.That(stdout, Does.Contain("8 nnz blocks"));
        // After "--" a dash-leading word is a positional (here a file name that does not exist).
        CliHarness.Fails(1, ["tensors", "show", "--", "-missing.safetensors"], "-missing.safetensors");
    }

    [Test]
    public void ANegativeNumberIsAValueNotAnOption() =>
        CliHarness.Fails(1, ["layout", "--rows", "-8", "--cols", "8", "--block", "2", "--butterfly", "4", "--factors", "1"], "matrix size must be positive");
}
