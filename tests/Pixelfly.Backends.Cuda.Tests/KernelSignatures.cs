using System.Text.RegularExpressions;
using Pixelfly.Backends.Cuda.Lowering;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>What a kernel parameter is, as far as a launch's arguments must match it.</summary>
internal enum ParameterKind { Pointer, Status, Table, Int32, Int64, Float32 }

/// <summary>
/// The parameter lists of the embedded kernels (<c>extern "C" __global__</c> functions), parsed from their sources,
/// so lowering tests can check that every launch passes what its kernel declares. Pointer parameters named
/// <c>status</c> take the status words; <c>rowPtr</c>, <c>view</c> and an int <c>table</c> take compile-time tables.
/// </summary>
internal static partial class KernelSignatures
{
    [GeneratedRegex(@"extern\s+""C""\s+__global__\s+void\s+(?:__launch_bounds__\([^)]*\)\s+)?(\w+)\s*\(([^)]*)\)", RegexOptions.Singleline)]
    private static partial Regex KernelDeclaration();

    /// <summary>"file.cu:function" → its parameter kinds, for the given embedded source files.</summary>
    public static Dictionary<string, ParameterKind[]> Parse(IEnumerable<string> sources)
    {
        var assembly = typeof(CudaLowering).Assembly;
        var result = new Dictionary<string, ParameterKind[]>();
        foreach (string source in sources)
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream("pixelfly.cuda." + source)
                ?? throw new InvalidOperationException($"no embedded kernel source {source}"));
            string text = reader.ReadToEnd();
            foreach (Match m in KernelDeclaration().Matches(text))
                result[$"{source}:{m.Groups[1].Value}"] = [.. m.Groups[2].Value.Split(',').Select(p => KindOf(p.Trim()))];
        }
        return result;
    }

    /// <summary>The kind of parameter a launch argument fills.</summary>
    public static ParameterKind KindOf(LaunchArg arg) => arg.Kind switch
    {
        LaunchArgKind.Value or LaunchArgKind.Scratch => ParameterKind.Pointer,
        LaunchArgKind.Status => ParameterKind.Status,
        LaunchArgKind.Table => ParameterKind.Table,
        LaunchArgKind.Int32 => ParameterKind.Int32,
        LaunchArgKind.Int64 => ParameterKind.Int64,
        LaunchArgKind.Float32 => ParameterKind.Float32,
        _ => throw new ArgumentOutOfRangeException(nameof(arg), arg.Kind, "unknown launch argument kind"),
    };

    /// <summary>
    /// Compiles each launch's variant for sm_90 and asserts its module exports every function the launches name
    /// (a cubin is an ELF image whose symbol table holds the extern "C" names verbatim).
    /// </summary>
    public static void AssertModulesExport(IEnumerable<KernelLaunch> launches)
    {
        var compiler = Nvrtc.EmbeddedCompiler();
        foreach (var group in launches.Select(l => (l.Variant, l.Function)).Distinct().GroupBy(n => n.Variant))
        {
            string image = System.Text.Encoding.Latin1.GetString(compiler.Compile(group.Key, 90).Image);
            foreach (var (_, function) in group)
                Assert.That(image, Does.Contain(function + "\0"), $"{function} in {group.Key.Key}");
        }
    }

    private static ParameterKind KindOf(string parameter)
    {
        string name = parameter.Split(' ', '*')[^1];
        if (parameter.Contains('*'))
            return name switch
            {
                "status" => ParameterKind.Status,
                "rowPtr" or "view" => ParameterKind.Table,
                "table" when parameter.StartsWith("const int", StringComparison.Ordinal) => ParameterKind.Table,   // gather's "table" is its data
                _ => ParameterKind.Pointer,
            };
        if (parameter.StartsWith("long long", StringComparison.Ordinal)) return ParameterKind.Int64;
        if (parameter.StartsWith("float", StringComparison.Ordinal)) return ParameterKind.Float32;
        if (parameter.StartsWith("int", StringComparison.Ordinal)) return ParameterKind.Int32;
        throw new FormatException($"unexpected kernel parameter '{parameter}'");
    }
}
