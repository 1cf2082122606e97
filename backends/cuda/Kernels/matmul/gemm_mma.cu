// Dense batched GEMM on tensor cores for f16/bf16 inputs: C[b] = op(A[b])·op(B[b]), f32 accumulation
// (mma.sync m16n8k16), result rounded to the output dtype, or f32 partial sums per k-split.
// Defines: PF_IN (1 = f16, 2 = bf16), PF_TRANS_A, PF_TRANS_B (0/1), PF_THREADS and PF_SMEM_BYTES (checked, below).
// Tiling: 128x128 CTA tile, BK = 32, 8 warps as 2 (m) x 4 (n), each 64x32; 4-stage cp.async ring (tile_mma.cuh);
// tiles rasterised in groups of 8 tile rows for L2 reuse (pf_grouped_tile).
// Assumes: A, B 16-byte aligned; the contiguous axis of each operand (K or M for A, N or K for B) a multiple of 8,
// so every 8-element chunk is wholly inside or wholly outside the matrix (lowering falls back to gemm_simt.cu
// otherwise). M, N, K edges are zero-filled. A batch stride of 0 shares that operand across the batch.
// Grid: tilesM·tilesN·splits·batches CTAs on x. With splits > 1, `out` is f32 scratch [splits][batches][M][N] and
// split s sums k steps [s·steps/splits, (s+1)·steps/splits); splitk_reduce.cu adds the splits in order.
#include "tile_mma.cuh"
#include "gemm_tc.cuh"

#if PF_IN != 1 && PF_IN != 2
#error "gemm_mma.cu takes f16 (PF_IN=1) or bf16 (PF_IN=2) inputs"
#endif

namespace {

constexpr bool kTransA = PF_TRANS_A != 0, kTransB = PF_TRANS_B != 0;
constexpr int kBM = 128, kBN = 128, kBK = 32;
typedef PfMmaTile<kBM, kBN, kBK, 2, 4, !kTransA, kTransB, 4, PF_IN == 2> Tile;
PF_CHECK_LAUNCH_RESOURCES(Tile);

}  // namespace

extern "C" __global__ void __launch_bounds__(Tile::THREADS)
pf_gemm_mma(const pf_in_t* __restrict__ A, const pf_in_t* __restrict__ B, void* __restrict__ out,
            int M, int N, int K, long long strideA, long long strideB,
            int tilesM, int tilesN, int splits, int batches, int outKind) {
    extern __shared__ __align__(16) unsigned char smem[];
    pf_gemm_tc_cta<Tile, kBM, kBN, kBK, kTransA, kTransB>(A, B, out, M, N, K, strideA, strideB, tilesM, tilesN, splits,
                                                         batches, outKind, smem);
}
