using Pixelfly.Backends.Vulkan.Runtime;
using System.Diagnostics;

namespace Pixelfly.Backends.Vulkan.Tests;

/// <summary>The committed SPIR-V matches the GLSL sources (what CI checks with scripts/build-shaders.sh --check).</summary>
public sealed class ShaderBuildTests
{
    [Test]
    public void Committed_spirv_matches_the_glsl_sources()
    {
        if (!OnPath("glslc")) Assert.Ignore("glslc is not installed here (apt-get install glslc); CI installs it and runs this check");
        string root = RepositoryRoot();
        var psi = new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "build-shaders.sh"), "--check"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, stdout + stderr);
        Assert.That(stdout, Does.Contain("matches"));
    }

    [Test]
    public void Every_compiled_shader_is_embedded()
    {
        string spv = Path.Combine(RepositoryRoot(), "backends", "vulkan", "Shaders", "spv");
        var files = Directory.GetFiles(spv, "*.spv").Select(Path.GetFileNameWithoutExtension).ToArray();
        Assert.That(files, Is.Not.Empty);
        var embedded = ShaderLibrary.BuiltIn.Names.ToArray();
        Assert.That(embedded, Is.EquivalentTo(files));
        foreach (var name in embedded) Assert.DoesNotThrow(() => ShaderLibrary.BuiltIn.Load(name!), name);
    }

    [Test]
    public void Readonly_bindings_are_read_from_the_spirv()
    {
        Assert.That(ShaderBindings.Writable(ShaderLibrary.BuiltIn.Load("elementwise")), Is.EqualTo(new[] { true, false, false, false }),
            "elementwise.comp: writeonly output, readonly inputs");
        foreach (var name in ShaderLibrary.BuiltIn.Names)
            Assert.That(ShaderBindings.Writable(ShaderLibrary.BuiltIn.Load(name!)), Has.Some.True, $"{name} writes nothing?");
        Assert.Throws<ArgumentException>(() => ShaderBindings.Writable(new byte[12]));
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pixelfly.sln"))) dir = dir.Parent;
        if (dir is null)
        {
            // Built with --artifacts-path outside the checkout: find the repository from this source file's location.
            dir = new DirectoryInfo(Path.GetDirectoryName(SourcePath())!);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pixelfly.sln"))) dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Pixelfly.sln)");
    }

    private static string SourcePath([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
