namespace Pixelfly.Nn.Layers;

/// <summary>
/// A Pixelfly layer's budget (PIXELFLY-SPEC §1 and §3): flat block butterfly with block size b, butterfly size S
/// and F factors, plus a rank-r low-rank term and the per-token sigmoid gate. fly's released configs use
/// (b 32, S 16, F 2, r 32); the CPU headline uses (b 32, S 32, F 3).
/// </summary>
public sealed record PixelflyConfig(int BlockSize = 32, int ButterflySize = 16, int Factors = 2, int Rank = 32, bool Gate = true, LowRankInit LowRankInit = LowRankInit.Linear)
{
    /// <summary>"b32-s16-f2-r32" (a name for reports and checkpoints).</summary>
    public override string ToString() => $"b{BlockSize}-s{ButterflySize}-f{Factors}-r{Rank}{(Gate ? "" : "-nogate")}{(LowRankInit == LowRankInit.Svd ? "-svd" : "")}";
}
