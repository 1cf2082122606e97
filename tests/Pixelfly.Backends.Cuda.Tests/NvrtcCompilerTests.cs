using System.Text;
using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Backends.Cuda.Runtime;

namespace Pixelfly.Backends.Cuda.Tests;

[TestFixture]
public class NvrtcCompilerTests
{
    private const string Header = """
        #pragma once
        __device__ __forceinline__ float twice(float x) { return 2.0f * x; }
        """;

    private const string Scale = """
        #include "helpers.cuh"
        extern "C" __global__ void scale(float* data, int n) {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) data[i] = twice(data[i]) * FACTOR;
        }
        """;

    private static Dictionary<string, string> Files(string kernel = Scale) => new() { ["scale.cu"] = kernel, ["helpers.cuh"] = Header };

    private static readonly KernelVariant ScaleVariant = KernelVariant.Of("scale.cu", ("FACTOR", 3));

    private string _cacheDir = "";

    [SetUp]
    public void CreateCacheFolder() => _cacheDir = Path.Combine(Path.GetTempPath(), "pixelfly-cuda-cache-test-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteCacheFolder()
    {
        if (Directory.Exists(_cacheDir)) Directory.Delete(_cacheDir, recursive: true);
    }

    [TestCase(80)]
    [TestCase(90)]
    public void CompilesATinyKernelToCubinWithItsHeaderAndDefines(int arch)
    {
        var compiler = Nvrtc.CompilerOver(Files());
        var kernel = compiler.Compile(ScaleVariant, arch);
        Assert.Multiple(() =>
        {
            Assert.That(kernel.IsCubin, Is.True);
            Assert.That(kernel.Target, Is.EqualTo($"sm_{arch}"));
            // A cubin is an ELF image.
            Assert.That(kernel.Image.AsSpan(0, 4).ToArray(), Is.EqualTo(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }));
            Assert.That(kernel.Options, Is.EqualTo(new[] { "--std=c++17", $"-arch=sm_{arch}", "-DFACTOR=3" }));
            Assert.That(kernel.NvrtcVersion, Is.EqualTo(compiler.Nvrtc.Version.ToString()));
            Assert.That(kernel.FromDiskCache, Is.False);
        });
    }

    [Test]
    public void ASyntaxErrorThrowsWithTheLogAndTheVariantKey()
    {
        var compiler = Nvrtc.CompilerOver(Files(Scale.Replace("data[i] = ", "data[i] = = ")));
        var e = Assert.Throws<KernelCompilationException>(() => compiler.Compile(ScaleVariant, 80))!;
        Assert.That(e.Message, Does.Contain("scale.cu[FACTOR=3]"));
        Assert.That(e.Message, Does.Contain("failed to compile"));
        Assert.That(e.Message, Does.Contain("scale.cu(4)"), "the log names the file and line");
        Assert.That(e.Message, Does.Contain("-arch=sm_80"));
    }

    [Test]
    public void AWarningIsAnError()
    {
        var compiler = Nvrtc.CompilerOver(Files(Scale.Replace("int i =", "int unused; int i =")));
        var e = Assert.Throws<KernelCompilationException>(() => compiler.Compile(ScaleVariant, 90))!;
        Assert.That(e.Message, Does.Contain("warnings, which are errors"));
        Assert.That(e.Message, Does.Contain("unused"));
    }

    [Test]
    public void AMissingDefineIsACompileErrorNamingTheVariant()
    {
        var compiler = Nvrtc.CompilerOver(Files());
        var e = Assert.Throws<KernelCompilationException>(() => compiler.Compile(KernelVariant.Of("scale.cu"), 80))!;
        Assert.That(e.Message, Does.Contain("FACTOR"));
    }

    [Test]
    public void TheDiskCacheHitsOnTheSameInputsAndMissesWhenAnyChanges()
    {
        var cache = new KernelDiskCache(_cacheDir);
        var first = Nvrtc.CompilerOver(Files(), cache);
        var compiled = first.Compile(ScaleVariant, 80);
        Assert.That(first.NvrtcCompilations, Is.EqualTo(1));
        Assert.That(File.Exists(cache.PathOf(compiled.CacheKey)), Is.True);

        // A fresh compiler (a new process, in effect) reads it back instead of compiling.
        var second = Nvrtc.CompilerOver(Files(), cache);
        var again = second.Compile(ScaleVariant, 80);
        Assert.Multiple(() =>
        {
            Assert.That(second.NvrtcCompilations, Is.Zero);
            Assert.That(again.FromDiskCache, Is.True);
            Assert.That(again.Image, Is.EqualTo(compiled.Image));
        });

        // Another define, another architecture, a changed header: each is a different entry.
        var third = Nvrtc.CompilerOver(new Dictionary<string, string> { ["scale.cu"] = Scale, ["helpers.cuh"] = Header + "\n// changed\n" }, cache);
        Assert.That(third.Compile(ScaleVariant, 80).FromDiskCache, Is.False);
        Assert.That(second.Compile(KernelVariant.Of("scale.cu", ("FACTOR", 4)), 80).FromDiskCache, Is.False);
        Assert.That(second.Compile(ScaleVariant, 90).FromDiskCache, Is.False);
        Assert.That(Directory.GetFiles(_cacheDir, "*.bin"), Has.Length.EqualTo(4));
    }

    [Test]
    public void ACorruptCacheEntryIsRecompiledAndReplaced()
    {
        var cache = new KernelDiskCache(_cacheDir);
        var compiled = Nvrtc.CompilerOver(Files(), cache).Compile(ScaleVariant, 80);
        string path = cache.PathOf(compiled.CacheKey);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0xFF; // one flipped payload byte: the checksum no longer matches
        File.WriteAllBytes(path, bytes);

        var compiler = Nvrtc.CompilerOver(Files(), cache);
        var recompiled = compiler.Compile(ScaleVariant, 80);
        Assert.Multiple(() =>
        {
            Assert.That(recompiled.FromDiskCache, Is.False);
            Assert.That(compiler.NvrtcCompilations, Is.EqualTo(1));
            Assert.That(recompiled.Image, Is.EqualTo(compiled.Image));
            Assert.That(cache.TryRead(compiled.CacheKey)?.Image, Is.EqualTo(compiled.Image), "the entry was rewritten");
        });

        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("truncated"));
        Assert.That(cache.TryRead(compiled.CacheKey), Is.Null);
    }

    [Test]
    public void TheEmbeddedCommonHeaderCompilesForBothArchitectures()
    {
        // The shared header every kernel includes must be clean on its own (no warnings) on sm_80 and sm_90.
        var files = new Dictionary<string, string>
        {
            ["probe.cu"] = """
                #include "common.cuh"
                extern "C" __global__ void probe(const pf_bf16* a, const pf_half* b, float* out, int* status) {
                    out[0] = pf_bf16_to_float(a[0]) + pf_half_to_float(b[0]);
                    pf_report(status, 1, 2, 3);
                }
                """,
        };
        foreach (var (name, text) in KernelSources.Embedded.Headers) files[name] = text;
        var compiler = Nvrtc.CompilerOver(files);
        Assert.That(compiler.Compile(KernelVariant.Of("probe.cu"), 80).IsCubin, Is.True);
        Assert.That(compiler.Compile(KernelVariant.Of("probe.cu"), 90).IsCubin, Is.True);
    }
}
