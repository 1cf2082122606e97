namespace Pixelfly.Cli.Formatting;

/// <summary>A plain-text table with left-aligned columns padded to their widest cell.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>Adds a row; it must have one cell per header.</summary>
    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
            throw new ArgumentException($"a row of {cells.Length} cells in a table of {headers.Length} columns");
        _rows.Add(cells);
    }

    /// <summary>Number of rows (without the header).</summary>
    public int Count => _rows.Count;

    /// <summary>Writes the header and rows, each line prefixed with <paramref name="indent"/>.</summary>
    public void Write(TextWriter writer, string indent = "")
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        WriteRow(writer, indent, headers, widths);
        foreach (var row in _rows)
            WriteRow(writer, indent, row, widths);
    }

    private static void WriteRow(TextWriter writer, string indent, string[] cells, int[] widths)
    {
        // The last column is not padded, so lines carry no trailing spaces.
        var padded = cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]));
        writer.WriteLine(indent + string.Join("  ", padded).TrimEnd());
    }
}
