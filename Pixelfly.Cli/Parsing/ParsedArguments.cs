using System.Globalization;

namespace Pixelfly.Cli.Parsing;

/// <summary>A command line parsed against a <see cref="CommandSpec"/>; typed accessors throw <see cref="UsageException"/>.</summary>
internal sealed class ParsedArguments(CommandSpec spec, IReadOnlyList<string> positionals, IReadOnlyDictionary<string, string?> options)
{
    /// <summary>The command this was parsed for.</summary>
    public CommandSpec Spec { get; } = spec;

    /// <summary>How many positional arguments were given (optional ones may be missing).</summary>
    public int PositionalCount => positionals.Count;

    /// <summary>Positional argument i.</summary>
    public string Positional(int index) => positionals[index];

    /// <summary>True when a flag (or an option) was given.</summary>
    public bool Has(string name) => options.ContainsKey(name);

    /// <summary>An option's value, or null when it was not given.</summary>
    public string? Value(string name) => options.TryGetValue(name, out var v) ? v : null;

    /// <summary>An option's value as an integer; null when not given.</summary>
    public int? Int(string name)
    {
        var text = Value(name);
        if (text is null) return null;
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new UsageException($"option '--{name}' expects an integer, got '{text}'");
    }

    /// <summary>A required integer option (the parser already checked it is present).</summary>
    public int RequiredInt(string name) => Int(name) ?? throw new UsageException($"missing required option '--{name}'");
}
