using System.Runtime.InteropServices;

namespace Pixelfly.Perf.Reports;

/// <summary>Where a benchmark ran: CPU model, logical cores, OS and .NET runtime.</summary>
/// <param name="CpuModel">"model name" from /proc/cpuinfo, else the architecture.</param>
/// <param name="LogicalCores">Logical processors the process may use.</param>
/// <param name="Os">Operating system description.</param>
/// <param name="Dotnet">.NET runtime description.</param>
public sealed record MachineInfo(string CpuModel, int LogicalCores, string Os, string Dotnet)
{
    /// <summary>Describes this machine and process.</summary>
    public static MachineInfo Current() => new(
        ReadCpuModel(), Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);

    private static string ReadCpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is var colon and > 0)
                        return line[(colon + 1)..].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // fall through: the architecture is better than nothing
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
