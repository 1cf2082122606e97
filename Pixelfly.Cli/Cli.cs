using System.Reflection;
using System.Text;
using System.Text.Json;
using Pixelfly.Cli.Commands;
using Pixelfly.Cli.Parsing;
using Pixelfly.Devices;
using Pixelfly.IO;
using Pixelfly.Ir;
using Pixelfly.Ir.Json;

namespace Pixelfly.Cli;

/// <summary>
/// The `pixelfly` command line, runnable in-process. Exit codes: 0 success; 1 a runtime failure (bad file,
/// bad graph, device unavailable, failed certification); 2 a bad command line; 3 an internal error.
/// Every failure is one "error: ..." line on stderr, never a stack trace.
/// </summary>
public static class Cli
{
    /// <summary>Success.</summary>
    public const int ExitOk = 0;

    /// <summary>A runtime failure caused by input, files or devices (or a device that is not certified).</summary>
    public const int ExitFailure = 1;

    /// <summary>The command line could not be parsed.</summary>
    public const int ExitUsage = 2;

    /// <summary>A bug: an exception nobody expected.</summary>
    public const int ExitInternal = 3;

    private static readonly ICommand[] Commands =
    [
        new DevicesCommand(),
        new LayoutCommand(),
        new RunCommand(),
        new TensorsShowCommand(),
        new TensorsFromJsonCommand(),
        new ConformanceCommand(),
        new BenchCommand(),
        new TrainCommand(),
    ];

    /// <summary>Runs one command line; writes to the given writers and returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            Backends.RegisterAll();
            return Dispatch(args, new CommandContext(stdout, stderr));
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"error: {OneLine(e.Message)}");
            return ExitUsage;
        }
        catch (Exception e) when (IsUserError(e))
        {
            stderr.WriteLine($"error: {OneLine(Describe(e))}");
            return ExitFailure;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: internal error: {e.GetType().FullName}: {OneLine(e.Message)}");
            return ExitInternal;
        }
    }

    private static int Dispatch(string[] args, CommandContext context)
    {
        if (args.Length == 0)
            throw new UsageException("no command given; run 'pixelfly --help' for the list of commands");
        if (args[0] is "--help" or "-h" or "help")
        {
            context.Out.Write(RootUsage());
            return ExitOk;
        }
        if (args[0] == "--version")
        {
            context.Out.WriteLine($"pixelfly {Version()}");
            return ExitOk;
        }

        var match = Commands
            .Select(c => (Command: c, Words: c.Spec.Path.Split(' ')))
            .Where(c => c.Words.Length <= args.Length && c.Words.SequenceEqual(args.Take(c.Words.Length)))
            .OrderByDescending(c => c.Words.Length)
            .FirstOrDefault();
        if (match.Command is null)
            return GroupOrUnknown(args, context);

        var rest = args.Skip(match.Words.Length).ToArray();
        if (ArgumentParser.WantsHelp(rest))
        {
            context.Out.Write(match.Command.Spec.Usage());
            return ExitOk;
        }
        var parsed = ArgumentParser.Parse(match.Command.Spec, rest);
        return match.Command.Execute(parsed, context);
    }

    // "pixelfly tensors" alone or with an unknown sub-command.
    private static int GroupOrUnknown(string[] args, CommandContext context)
    {
        var group = Commands.Where(c => c.Spec.Path.StartsWith(args[0] + " ", StringComparison.Ordinal)).ToArray();
        if (group.Length == 0)
            throw new UsageException($"unknown command '{args[0]}'; commands: {string.Join(", ", Commands.Select(c => c.Spec.Path.Split(' ')[0]).Distinct())} (see 'pixelfly --help')");
        if (args.Length > 1 && args[1] is "--help" or "-h")
        {
            context.Out.Write(GroupUsage(args[0], group));
            return ExitOk;
        }
        string subs = string.Join(", ", group.Select(c => c.Spec.Path.Split(' ')[1]));
        if (args.Length == 1)
            throw new UsageException($"'pixelfly {args[0]}' needs a sub-command: {subs} (see 'pixelfly {args[0]} --help')");
        throw new UsageException($"unknown sub-command '{args[1]}' of 'pixelfly {args[0]}'; expected one of: {subs}");
    }

    private static string GroupUsage(string group, IEnumerable<ICommand> commands)
    {
        var sb = new StringBuilder($"usage: pixelfly {group} <sub-command> [options]\n\nsub-commands:\n");
        foreach (var c in commands)
            sb.Append("  ").Append(c.Spec.Path.PadRight(22)).AppendLine(c.Spec.Summary);
        sb.AppendLine().AppendLine($"Run 'pixelfly {group} <sub-command> --help' for its options.");
        return sb.ToString();
    }

    private static string RootUsage()
    {
        var sb = new StringBuilder();
        sb.AppendLine("usage: pixelfly <command> [options]");
        sb.AppendLine();
        sb.AppendLine("Sparse neural-network training with Pixelated Butterfly on pluggable compute devices.");
        sb.AppendLine();
        sb.AppendLine("commands:");
        foreach (var c in Commands)
            sb.Append("  ").Append(c.Spec.Path.PadRight(20)).AppendLine(c.Spec.Summary);
        sb.AppendLine();
        sb.AppendLine("Run 'pixelfly <command> --help' for a command's options; 'pixelfly --version' prints the version.");
        sb.AppendLine();
        sb.AppendLine("Devices: --device ID (\"cpu\", \"ref\", \"vulkan:1\", \"auto\"), else the PIXELFLY_DEVICE environment");
        sb.AppendLine("variable, else auto (the best available device; it says what it chose). PIXELFLY_DISABLE=key,key");
        sb.AppendLine("switches hardware features off (keys as `pixelfly devices` shows them).");
        sb.AppendLine();
        sb.AppendLine("Exit codes: 0 success; 1 error (bad file or value, device unavailable, run failed, not certified);");
        sb.AppendLine("2 bad command line; 3 internal error (a bug: please report it).");
        return sb.ToString();
    }

    private static string Version() =>
        typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    // Failures caused by what the user gave us; anything else is a bug and says so.
    private static bool IsUserError(Exception e) => e is CliException
        or GraphFormatException or GraphValidationException or SafetensorsFormatException
        or DeviceUnavailableException or UnsupportedOpException or BindingException
        or IOException or UnauthorizedAccessException or ArgumentException or FormatException or JsonException
        or OutOfMemoryException
        || ConformanceCommand.IsUserError(e) || BenchCommand.IsUserError(e) || TrainCommand.IsUserError(e);

    private static string Describe(Exception e) => e switch
    {
        OutOfMemoryException => $"out of memory: {e.Message}",
        UnauthorizedAccessException => $"permission denied: {e.Message}",
        _ => e.Message,
    };

    // One line, whatever the message holds (compiler logs, JSON excerpts).
    private static string OneLine(string message) =>
        string.Join(" | ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
