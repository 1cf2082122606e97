namespace Pixelfly.Conformance;

/// <summary>
/// One manifest line: a glob over case ids ('*' matches any run of characters, '/' included; '?' matches one) and
/// the mandatory reason.
/// </summary>
public sealed record ManifestEntry(string Pattern, string Reason)
{
    /// <summary>True when the pattern matches the whole case id (case-sensitive).</summary>
    public bool Matches(string caseId)
    {
        ArgumentNullException.ThrowIfNull(caseId);
        return Glob(Pattern, caseId);
    }

    // Iterative wildcard match with single-star backtracking: linear in practice, no regex escaping concerns.
    private static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t])) { p++; t++; }
            else if (p < pattern.Length && pattern[p] == '*') { starP = p++; starT = t; }
            else if (starP >= 0) { p = starP + 1; t = ++starT; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
