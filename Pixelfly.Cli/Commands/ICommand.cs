using Pixelfly.Cli.Parsing;

namespace Pixelfly.Cli.Commands;

/// <summary>One `pixelfly` command: its spec and what it does.</summary>
internal interface ICommand
{
    /// <summary>Words, arguments, options and help.</summary>
    CommandSpec Spec { get; }

    /// <summary>Runs the command; returns the exit code. Failures throw (the caller prints one line and picks the code).</summary>
    int Execute(ParsedArguments args, CommandContext context);
}

/// <summary>Where a command writes: normal output and diagnostics.</summary>
internal sealed record CommandContext(TextWriter Out, TextWriter Error);
