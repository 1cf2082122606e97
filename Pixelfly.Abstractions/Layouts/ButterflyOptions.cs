namespace Pixelfly.Layouts;

/// <summary>
/// Optional knobs of <see cref="BlockLayout.FlatBlockButterfly"/> (spec §1.1, §1.3). The defaults reproduce
/// fly's <c>FlatBlockButterflySparsityConfig</c> defaults: stretch, no global rows/columns, no shuffle.
/// </summary>
/// <param name="Tile">
/// False (default, fly): the S×S pattern is stretched over a rectangular matrix. True (RuLeanALBERT's
/// <c>stretch=False</c>): the stretched block layout's rows (or columns, when the matrix is wide) are then
/// permuted so the square pattern repeats along the longer side; requires one block count to divide the other.
/// </param>
/// <param name="GlobalSize">
/// Element units, like fly's <c>global_size</c>: the first GlobalSize rows and columns of the padded matrix are
/// dense, so every block touching them is stored. Applied after any <paramref name="Tile"/> permutation.
/// </param>
/// <param name="Shuffle">ShuffleNet-style permutation of the S×S mask's columns (spec §1.2).</param>
public sealed record ButterflyOptions(bool Tile = false, int GlobalSize = 0, bool Shuffle = false);
