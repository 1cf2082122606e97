using System.Globalization;
using System.Text.Json.Nodes;
using Pixelfly.Cli.Formatting;
using Pixelfly.Cli.Parsing;
using Pixelfly.Layouts;

namespace Pixelfly.Cli.Commands;

/// <summary>`pixelfly layout`: the flat block butterfly pattern as ASCII art or as block-CSR JSON.</summary>
internal sealed class LayoutCommand : ICommand
{
    public CommandSpec Spec { get; } = new(
        "layout",
        "print a flat block butterfly layout (PIXELFLY-SPEC §1) as ASCII art or JSON",
        [],
        [
            new OptionSpec("rows", "R", "logical rows (output features), > 0", Required: true),
            new OptionSpec("cols", "C", "logical columns (input features), > 0", Required: true),
            new OptionSpec("block", "B", "block size b; rows and cols are padded up to multiples of b", Required: true),
            new OptionSpec("butterfly", "S", "butterfly size S, a power of two >= 2 dividing the padded sizes", Required: true),
            new OptionSpec("factors", "F", "number of butterfly factors, in [1, log2 S]", Required: true),
            new OptionSpec("tile", null, "repeat the square pattern along the longer side instead of stretching it"),
            new OptionSpec("global-size", "G", "make the first G rows and columns dense (default 0)"),
            new OptionSpec("shuffle", null, "ShuffleNet-style column permutation of the S x S mask"),
            new OptionSpec("json", null, "print one JSON object (block-CSR) instead of ASCII art"),
        ],
        """
        ASCII art: one line per block row, '#' for a stored block, '.' for an empty one, after a header line.
        JSON: rows, cols (padded sizes), logicalRows, logicalCols, block, butterflySize, factors, tile,
        globalSize, shuffle, blockRows, blockCols, nnzBlocks, density, rowPtr, colIdx (block-CSR: block rows
        in order, column indices ascending within a row), and "layout", the same layout in the IR's form,
        ready to paste as a block-sparse op's "layout" attribute (docs/ir.md).

        Values the pattern rejects (S not a power of two, F out of range, sizes S does not divide) are
        errors with exit code 1; a missing or non-integer option is a usage error with exit code 2.

        example: pixelfly layout --rows 64 --cols 64 --block 8 --butterfly 8 --factors 2
        """);

    public int Execute(ParsedArguments args, CommandContext context)
    {
        int rows = args.RequiredInt("rows"), cols = args.RequiredInt("cols"), block = args.RequiredInt("block");
        int s = args.RequiredInt("butterfly"), f = args.RequiredInt("factors");
        var options = new ButterflyOptions(Tile: args.Has("tile"), GlobalSize: args.Int("global-size") ?? 0, Shuffle: args.Has("shuffle"));
        var layout = BlockLayout.FlatBlockButterfly(rows, cols, block, s, f, options);

        if (args.Has("json"))
        {
            context.Out.WriteLine(ToJson(layout, rows, cols, s, f, options).ToJsonString(JsonOutput.Compact));
            return Cli.ExitOk;
        }
        string padded = layout.Rows == rows && layout.Cols == cols ? "" : $" (padded from {rows}x{cols})";
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"flat block butterfly S={s} F={f}{(options.Tile ? " tiled" : "")}: {layout.Rows}x{layout.Cols}{padded}, block {block}, " +
            $"{layout.BlockRows}x{layout.BlockCols} blocks, {layout.NnzBlocks} nnz blocks, density {layout.Density:0.####}"));
        context.Out.Write(layout.ToAsciiArt());
        return Cli.ExitOk;
    }

    /// <summary>The JSON form printed by --json.</summary>
    internal static JsonObject ToJson(BlockLayout layout, int logicalRows, int logicalCols, int s, int f, ButterflyOptions options) => new()
    {
        ["rows"] = layout.Rows,
        ["cols"] = layout.Cols,
        ["logicalRows"] = logicalRows,
        ["logicalCols"] = logicalCols,
        ["block"] = layout.BlockSize,
        ["butterflySize"] = s,
        ["factors"] = f,
        ["tile"] = options.Tile,
        ["globalSize"] = options.GlobalSize,
        ["shuffle"] = options.Shuffle,
        ["blockRows"] = layout.BlockRows,
        ["blockCols"] = layout.BlockCols,
        ["nnzBlocks"] = layout.NnzBlocks,
        ["density"] = layout.Density,
        ["rowPtr"] = Ints(layout.RowPtr),
        ["colIdx"] = Ints(layout.ColIdx),
        ["layout"] = new JsonObject
        {
            ["rows"] = layout.Rows,
            ["cols"] = layout.Cols,
            ["block"] = layout.BlockSize,
            ["rowPtr"] = Ints(layout.RowPtr),
            ["colIdx"] = Ints(layout.ColIdx),
        },
    };

    private static JsonArray Ints(ReadOnlySpan<int> values)
    {
        var a = new JsonArray();
        foreach (int v in values) a.Add(v);
        return a;
    }
}
