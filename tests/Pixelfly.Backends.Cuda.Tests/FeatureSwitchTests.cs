using Pixelfly.Devices;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>PIXELFLY_ENABLE (opt-ins such as cuda.tf32) is read beside PIXELFLY_DISABLE.</summary>
[NonParallelizable]
public sealed class FeatureSwitchTests
{
    [Test]
    public void Pixelfly_enable_lists_opt_in_features_case_insensitively()
    {
        string? enable = Environment.GetEnvironmentVariable(BackendRegistry.EnableEnvVar);
        string? disable = Environment.GetEnvironmentVariable(BackendRegistry.DisableEnvVar);
        try
        {
            Environment.SetEnvironmentVariable(BackendRegistry.EnableEnvVar, " CUDA.TF32 , other ");
            Environment.SetEnvironmentVariable(BackendRegistry.DisableEnvVar, "cuda.graphs");
            var options = DeviceOptions.FromEnvironment();
            Assert.Multiple(() =>
            {
                Assert.That(options.IsEnabled(CudaFeatures.Tf32), Is.True);
                Assert.That(options.IsEnabled("other"), Is.True);
                Assert.That(options.IsEnabled(CudaFeatures.Graphs), Is.False);
                Assert.That(options.IsDisabled(CudaFeatures.Graphs), Is.True);
            });
            Environment.SetEnvironmentVariable(BackendRegistry.EnableEnvVar, null);
            Assert.That(DeviceOptions.FromEnvironment().IsEnabled(CudaFeatures.Tf32), Is.False, "TF32 is off by default");
            Assert.That(DeviceOptions.None.EnabledFeatures, Is.Empty);
        }
        finally
        {
            Environment.SetEnvironmentVariable(BackendRegistry.EnableEnvVar, enable);
            Environment.SetEnvironmentVariable(BackendRegistry.DisableEnvVar, disable);
        }
    }
}
