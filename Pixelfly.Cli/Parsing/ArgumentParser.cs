namespace Pixelfly.Cli.Parsing;

/// <summary>
/// A small POSIX-style parser: positionals, "--name value", "--name=value" and flags. Every mistake is a
/// <see cref="UsageException"/> with one line that names the argument and points at --help.
/// </summary>
internal static class ArgumentParser
{
    /// <summary>True when the arguments ask for help ("--help" or "-h" before any "--").</summary>
    public static bool WantsHelp(IEnumerable<string> args)
    {
        foreach (var a in args)
        {
            if (a == "--") return false;
            if (a is "--help" or "-h") return true;
        }
        return false;
    }

    /// <summary>Parses <paramref name="args"/> (the words after the command) for <paramref name="spec"/>.</summary>
    public static ParsedArguments Parse(CommandSpec spec, IReadOnlyList<string> args)
    {
        string hint = $"see 'pixelfly {spec.Path} --help'";
        var positionals = new List<string>();
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        bool onlyPositionals = false;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (onlyPositionals || !a.StartsWith('-') || a == "-")
            {
                if (positionals.Count == spec.Positionals.Count + spec.OptionalPositionals.Count)
                    throw new UsageException($"unexpected argument '{a}' for 'pixelfly {spec.Path}'; {hint}");
                positionals.Add(a);
                continue;
            }
            if (a == "--") { onlyPositionals = true; continue; }
            if (!a.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"unknown option '{a}' for 'pixelfly {spec.Path}' (options are spelled --name); {hint}");

            string name = a[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) (name, inline) = (name[..eq], name[(eq + 1)..]);
            var option = spec.Options.FirstOrDefault(o => o.Name == name)
                ?? throw new UsageException($"unknown option '--{name}' for 'pixelfly {spec.Path}'; {hint}");
            if (options.ContainsKey(name))
                throw new UsageException($"option '--{name}' is given twice");
            if (option.IsFlag)
            {
                if (inline is not null)
                    throw new UsageException($"option '--{name}' is a flag and takes no value (got '{inline}')");
                options[name] = null;
                continue;
            }
            string? value = inline;
            if (value is null)
            {
                // A following "--x" is the next option, not this one's value; "-5" is a value.
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new UsageException($"option '--{name}' needs a value ({option.Synopsis}); {hint}");
                value = args[++i];
            }
            if (value.Length == 0)
                throw new UsageException($"option '--{name}' needs a non-empty value ({option.Synopsis})");
            options[name] = value;
        }
        if (positionals.Count < spec.Positionals.Count)
            throw new UsageException($"missing argument {spec.Positionals[positionals.Count]} for 'pixelfly {spec.Path}'; {hint}");
        foreach (var o in spec.Options)
            if (o.Required && !options.ContainsKey(o.Name))
                throw new UsageException($"missing required option '{o.Synopsis}' for 'pixelfly {spec.Path}'; {hint}");
        return new ParsedArguments(spec, positionals, options);
    }
}
