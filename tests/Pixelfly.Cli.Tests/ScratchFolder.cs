namespace Pixelfly.Cli.Tests;

/// <summary>A fresh temp folder per test, deleted afterwards; helpers to check what was (not) written there.</summary>
public abstract class ScratchFolder
{
    protected string Dir { get; private set; } = "";

    [SetUp]
    public void CreateScratchFolder()
    {
        Dir = Path.Combine(Path.GetTempPath(), "pixelfly-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
    }

    [TearDown]
    public void DeleteScratchFolder() => Directory.Delete(Dir, recursive: true);

    protected string PathOf(string name) => Path.Combine(Dir, name);

    protected string Write(string name, string text)
    {
        string path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    protected string Write(string name, byte[] bytes)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Asserts the folder holds exactly these files (so no partial output or temp file was left).</summary>
    protected void AssertFolderHolds(params string[] names) =>
        Assert.That(Directory.GetFileSystemEntries(Dir).Select(Path.GetFileName), Is.EquivalentTo(names));
}
