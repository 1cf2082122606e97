namespace Pixelfly.Perf.Cases;

/// <summary>Case-id globs: '*' matches any run of characters (slashes included), everything else itself.</summary>
internal static class Glob
{
    public static bool Matches(string pattern, string text)
    {
        if (!pattern.Contains('*')) return pattern == text;
        var parts = pattern.Split('*');
        if (!text.StartsWith(parts[0], StringComparison.Ordinal)) return false;
        int at = parts[0].Length;
        for (int i = 1; i < parts.Length - 1; i++)
        {
            int found = text.IndexOf(parts[i], at, StringComparison.Ordinal);
            if (found < 0) return false;
            at = found + parts[i].Length;
        }
        return text.Length - at >= parts[^1].Length && text.EndsWith(parts[^1], StringComparison.Ordinal);
    }
}
