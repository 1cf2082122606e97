using Pixelfly.Backends.Cuda.Interop;
using Pixelfly.Backends.Cuda.Runtime;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>Where NVRTC and the kernel cache are looked for, and loading NVRTC from the fetched folder.</summary>
public sealed class LibraryProbingTests
{
    [Test]
    public void Nvrtc_is_tried_in_the_explicit_folder_then_by_soname_newest_first_then_in_the_fetch_folder()
    {
        var candidates = NvrtcLocator.Candidates("/opt/nvrtc", "/fetched", "/home/u", "/cuda");
        Assert.That(candidates, Is.EqualTo(new[]
        {
            "/opt/nvrtc/libnvrtc.so.13", "/opt/nvrtc/libnvrtc.so.12", "/opt/nvrtc/libnvrtc.so.11.2", "/opt/nvrtc/libnvrtc.so",
            "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so",
            "/cuda/lib64/libnvrtc.so.13", "/cuda/lib64/libnvrtc.so.12", "/cuda/lib64/libnvrtc.so.11.2",
            "/usr/local/cuda/lib64/libnvrtc.so.13", "/usr/local/cuda/lib64/libnvrtc.so.12", "/usr/local/cuda/lib64/libnvrtc.so.11.2",
            "/usr/local/cuda/targets/x86_64-linux/lib/libnvrtc.so.13", "/usr/local/cuda/targets/x86_64-linux/lib/libnvrtc.so.12",
            "/usr/local/cuda/targets/x86_64-linux/lib/libnvrtc.so.11.2",
            "/fetched/lib/libnvrtc.so.13", "/fetched/lib/libnvrtc.so.12", "/fetched/lib/libnvrtc.so.11.2", "/fetched/lib/libnvrtc.so",
            "/home/u/.cache/pixelfly/nvrtc/lib/libnvrtc.so.13", "/home/u/.cache/pixelfly/nvrtc/lib/libnvrtc.so.12",
            "/home/u/.cache/pixelfly/nvrtc/lib/libnvrtc.so.11.2", "/home/u/.cache/pixelfly/nvrtc/lib/libnvrtc.so",
        }));
    }

    [Test]
    public void Without_settings_only_the_sonames_and_the_default_fetch_folder_are_tried()
    {
        var candidates = NvrtcLocator.Candidates(null, " ", "/root");
        Assert.That(candidates.Take(4), Is.EqualTo(NvrtcLocator.Sonames));
        Assert.That(candidates.Skip(4).Take(6), Is.All.StartsWith("/usr/local/cuda/"));
        Assert.That(candidates.Skip(10), Is.All.StartsWith("/root/.cache/pixelfly/nvrtc/lib/"));
    }

    [Test]
    public void A_file_named_by_PIXELFLY_NVRTC_PATH_is_tried_as_is()
    {
        string file = Path.GetTempFileName();
        try
        {
            Assert.That(NvrtcLocator.Candidates(file, null, null)[0], Is.EqualTo(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Missing_nvrtc_is_a_reason_listing_what_was_tried_and_how_to_get_it()
    {
        var (api, reason) = NvrtcApi.Load(["/nonexistent/libnvrtc.so.12", "libnvrtc-does-not-exist.so"]);
        Assert.That(api, Is.Null);
        Assert.That(reason, Does.Contain("/nonexistent/libnvrtc.so.12").And.Contain("scripts/fetch-nvrtc.sh").And.Contain("PIXELFLY_NVRTC_PATH"));
    }

    [Test]
    public void The_loaded_nvrtc_reports_its_version_and_architectures()
    {
        var nvrtc = Nvrtc.RequireOrIgnore();
        Assert.That(nvrtc.Version.Major, Is.GreaterThanOrEqualTo(11));
        Assert.That(nvrtc.SupportedArchitectures, Does.Contain(80).And.Contain(90));
    }

    [TestCase(90, new[] { 80, 86, 90 }, 90, true)]
    [TestCase(100, new[] { 80, 86, 90 }, 90, false)]
    [TestCase(89, new[] { 80, 86, 90 }, 86, false)]
    [TestCase(90, new int[0], 90, true)]
    public void The_compile_target_is_cubin_for_a_known_architecture_else_ptx_for_the_newest_older_one(int cc, int[] supported, int arch, bool cubin)
    {
        Assert.That(CompileTarget.For(cc, supported), Is.EqualTo(new CompileTarget(arch, cubin)));
    }

    [Test]
    public void A_device_older_than_every_nvrtc_architecture_is_a_clear_error()
    {
        Assert.That(() => CompileTarget.For(60, [75, 80, 90]), Throws.TypeOf<NotSupportedException>().With.Message.Contains("compute capability 6.0"));
    }

    [Test]
    public void The_kernel_cache_folder_is_the_override_else_xdg_else_home()
    {
        Assert.That(KernelDiskCache.DefaultFolder("/c", "/x", "/h"), Is.EqualTo("/c"));
        Assert.That(KernelDiskCache.DefaultFolder(null, "/x", "/h"), Is.EqualTo("/x/pixelfly/cuda"));
        Assert.That(KernelDiskCache.DefaultFolder("", null, "/h"), Is.EqualTo("/h/.cache/pixelfly/cuda"));
    }
}
