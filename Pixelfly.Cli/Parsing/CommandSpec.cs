using System.Text;

namespace Pixelfly.Cli.Parsing;

/// <summary>What a command accepts: its words ("tensors show"), positional arguments and options, and its help.</summary>
/// <param name="Path">The command words after "pixelfly".</param>
/// <param name="Summary">One line for the command list.</param>
/// <param name="Positionals">Names of the required positional arguments, in order.</param>
/// <param name="Options">The options.</param>
/// <param name="Details">Extra help paragraphs (examples, exit codes), or null.</param>
internal sealed record CommandSpec(
    string Path,
    string Summary,
    IReadOnlyList<string> Positionals,
    IReadOnlyList<OptionSpec> Options,
    string? Details = null)
{
    /// <summary>Names of positional arguments that may follow the required ones, in order, each optional.</summary>
    public IReadOnlyList<string> OptionalPositionals { get; init; } = [];

    /// <summary>The full usage text printed by --help.</summary>
    public string Usage()
    {
        var sb = new StringBuilder();
        sb.Append("usage: pixelfly ").Append(Path);
        foreach (var p in Positionals) sb.Append(' ').Append(p);
        foreach (var p in OptionalPositionals) sb.Append(" [").Append(p).Append(']');
        foreach (var o in Options) sb.Append(' ').Append(o.Required ? o.Synopsis : $"[{o.Synopsis}]");
        sb.AppendLine().AppendLine().AppendLine(Summary);
        if (Options.Count > 0)
        {
            sb.AppendLine().AppendLine("options:");
            int width = Options.Max(o => o.Synopsis.Length);
            foreach (var o in Options)
                sb.Append("  ").Append(o.Synopsis.PadRight(width + 2)).AppendLine(o.Help);
            sb.Append("  ").Append("--help".PadRight(width + 2)).AppendLine("show this help");
        }
        if (Details is not null)
            sb.AppendLine().AppendLine(Details.TrimEnd());
        return sb.ToString();
    }
}
