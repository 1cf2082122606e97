using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pixelfly.Cli.Formatting;

/// <summary>Settings for JSON the CLI prints: readable (no \u0027 escapes), indented or compact.</summary>
internal static class JsonOutput
{
    /// <summary>Indented, for objects people also read.</summary>
    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line, for large machine-read objects.</summary>
    public static JsonSerializerOptions Compact { get; } = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
