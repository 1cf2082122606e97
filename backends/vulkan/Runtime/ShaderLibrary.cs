using System.Reflection;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>Finds SPIR-V modules by shader name among an assembly's embedded resources "pixelfly.vulkan.&lt;name&gt;".</summary>
internal sealed class ShaderLibrary(Assembly assembly)
{
    /// <summary>Resource names start with this.</summary>
    public const string ResourcePrefix = "pixelfly.vulkan.";

    /// <summary>The shaders built into this backend.</summary>
    public static ShaderLibrary BuiltIn { get; } = new(typeof(ShaderLibrary).Assembly);

    /// <summary>Whether a shader of that name is embedded.</summary>
    public bool Contains(string name) => assembly.GetManifestResourceInfo(ResourcePrefix + name) is not null;

    /// <summary>Every embedded shader name.</summary>
    public IEnumerable<string> Names =>
        assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Select(n => n[ResourcePrefix.Length..]);

    /// <summary>The SPIR-V words of shader <paramref name="name"/>.</summary>
    public byte[] Load(string name)
    {
        using var s = assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"no compiled shader '{name}' is embedded in {assembly.GetName().Name} (run scripts/build-shaders.sh and rebuild)");
        var bytes = new byte[s.Length];
        s.ReadExactly(bytes);
        if (bytes.Length % 4 != 0 || bytes.Length < 20 || BitConverter.ToUInt32(bytes, 0) != 0x07230203)
            throw new InvalidOperationException($"embedded shader '{name}' is not a SPIR-V module ({bytes.Length} bytes)");
        return bytes;
    }
}
