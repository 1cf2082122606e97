namespace Pixelfly.Cli.Parsing;

/// <summary>One option of a command: "--name VALUE", or a flag "--name" when <paramref name="ValueName"/> is null.</summary>
/// <param name="Name">The option's name without the leading dashes.</param>
/// <param name="ValueName">How usage names the value ("N", "FILE"); null for a flag.</param>
/// <param name="Help">One line of help.</param>
/// <param name="Required">Whether the command cannot run without it.</param>
internal sealed record OptionSpec(string Name, string? ValueName, string Help, bool Required = false)
{
    /// <summary>True when the option takes no value.</summary>
    public bool IsFlag => ValueName is null;

    /// <summary>"--name VALUE" or "--name".</summary>
    public string Synopsis => IsFlag ? $"--{Name}" : $"--{Name} {ValueName}";
}
