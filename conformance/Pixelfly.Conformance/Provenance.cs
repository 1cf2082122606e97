using System.Diagnostics;

namespace Pixelfly.Conformance;

/// <summary>Where a certificate's software came from.</summary>
public static class Provenance
{
    /// <summary>Environment variable that names the commit explicitly (CI sets it; it wins over git).</summary>
    public const string CommitEnvVar = "PIXELFLY_COMMIT";

    /// <summary>
    /// The Pixelfly commit: PIXELFLY_COMMIT if set, else `git rev-parse HEAD` when the current directory is inside a
    /// git work tree, else "unknown".
    /// </summary>
    public static string PixelflyCommit()
    {
        if (Environment.GetEnvironmentVariable(CommitEnvVar) is { Length: > 0 } env)
            return env.Trim();
        return FindGitRoot(Environment.CurrentDirectory) is { } root && GitHead(root) is { } head ? head : "unknown";
    }

    private static string? FindGitRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git")))
                return dir.FullName;
        return null;
    }

    private static string? GitHead(string root)
    {
        try
        {
            var psi = new ProcessStartInfo("git", ["rev-parse", "HEAD"])
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi);
            if (p is null) return null;
            string output = p.StandardOutput.ReadToEnd().Trim();
            if (!p.WaitForExit(10_000)) { p.Kill(); return null; }
            return p.ExitCode == 0 && output.Length >= 7 && output.All(Uri.IsHexDigit) ? output : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null; // git is not installed: the commit is unknown, which the certificate says
        }
    }
}
