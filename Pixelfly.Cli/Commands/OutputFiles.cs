namespace Pixelfly.Cli.Commands;

/// <summary>Checks on files the CLI is about to write (the write itself is atomic, through Pixelfly.IO).</summary>
internal static class OutputFiles
{
    /// <summary>
    /// Fails before any work when <paramref name="path"/> cannot be written: it is a folder, or its folder does
    /// not exist. <paramref name="option"/> names the option in the message.
    /// </summary>
    public static void CheckWritable(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new CliException($"{option} '{path}' is a folder; give a file name");
        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw new CliException($"cannot write {option} '{path}': the folder '{folder}' does not exist");
    }
}
