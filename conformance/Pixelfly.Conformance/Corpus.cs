using System.Security.Cryptography;
using System.Text;

namespace Pixelfly.Conformance;

/// <summary>
/// The conformance corpus: the checked-in, versioned case file conformance/corpus/pixelfly-cts-v1.jsonl (embedded in
/// this assembly) or a user's JSON-lines file of cases.
/// </summary>
public static class Corpus
{
    /// <summary>The suite version; it is part of the corpus file name and of every certificate.</summary>
    public const int SuiteVersion = 1;

    /// <summary>The checked-in corpus file name.</summary>
    public const string DefaultFileName = "pixelfly-cts-v1.jsonl";

    private const string ResourceName = "Pixelfly.Conformance.corpus." + DefaultFileName;

    private static readonly Lazy<byte[]> DefaultBytes = new(ReadEmbedded);
    private static readonly Lazy<IReadOnlyList<ConformanceCase>> DefaultCases =
        new(() => Parse(DefaultBytes.Value, $"embedded {DefaultFileName}"));

    /// <summary>The checked-in corpus (parsed once, then shared).</summary>
    public static IReadOnlyList<ConformanceCase> LoadDefault() => DefaultCases.Value;

    /// <summary>SHA-256 (lower-case hex) of the embedded corpus bytes.</summary>
    public static string DefaultCorpusSha256 => Sha256(DefaultBytes.Value);

    /// <summary>The embedded corpus bytes, exactly as checked in.</summary>
    public static ReadOnlySpan<byte> DefaultCorpusBytes => DefaultBytes.Value;

    /// <summary>Reads a JSON-lines case file; every problem is a <see cref="CorpusFormatException"/> naming the line.</summary>
    public static IReadOnlyList<ConformanceCase> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CorpusFormatException($"cannot read case file '{path}': {e.Message}", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>SHA-256 (lower-case hex) of a case file, for the certificate of a run over a user corpus.</summary>
    public static string FileSha256(string path) => Sha256(File.ReadAllBytes(path));

    /// <summary>
    /// Parses JSON-lines text: one case per line, blank lines ignored, ids unique. <paramref name="sourceName"/>
    /// starts every error message ("cases.jsonl line 7: ...").
    /// </summary>
    public static IReadOnlyList<ConformanceCase> Parse(ReadOnlySpan<byte> utf8, string sourceName)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            throw new CorpusFormatException($"{sourceName}: not valid UTF-8 ({e.Message})", e);
        }
        var cases = new List<ConformanceCase>();
        var firstLine = new Dictionary<string, int>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            var c = CaseJson.Deserialize(line, $"{sourceName} line {i + 1}");
            if (firstLine.TryGetValue(c.Id, out int earlier))
                throw new CorpusFormatException($"{sourceName} line {i + 1}: case id '{c.Id}' was already used on line {earlier}");
            firstLine[c.Id] = i + 1;
            cases.Add(c);
        }
        if (cases.Count == 0)
            throw new CorpusFormatException($"{sourceName}: no cases (expected one JSON object per line)");
        return cases;
    }

    /// <summary>Serializes cases as JSON lines (one per line, each ending in '\n'), UTF-8 without a byte-order mark.</summary>
    public static byte[] ToJsonl(IEnumerable<ConformanceCase> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var sb = new StringBuilder();
        foreach (var c in cases) sb.Append(CaseJson.Serialize(c)).Append('\n');
        return new UTF8Encoding(false).GetBytes(sb.ToString());
    }

    internal static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[] ReadEmbedded()
    {
        using var s = typeof(Corpus).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException(
                $"the corpus resource '{ResourceName}' is missing from {typeof(Corpus).Assembly.GetName().Name}; " +
                "generate conformance/corpus/" + DefaultFileName + " (see docs/conformance.md) and rebuild");
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }
}
