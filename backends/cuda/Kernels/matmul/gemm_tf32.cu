// Dense batched GEMM on TF32 tensor cores for f32 inputs (opt-in: CudaLoweringLimits.Tf32): C[b] = op(A[b])·op(B[b])
// with operands rounded to tf32 and f32 accumulation (mma.sync m16n8k8), result rounded to the output dtype, or f32
// partial sums per k-split. Defines: PF_TRANS_A, PF_TRANS_B (0/1), PF_THREADS, PF_SMEM_BYTES.
// Tiling: 128x128 CTA tile, BK = 16, 8 warps as 2 (m) x 4 (n), each 64x32; 3-stage cp.async ring (tile_tf32.cuh);
// tiles rasterised in groups of 8 tile rows (pf_grouped_tile).
// Assumes: A, B 16-byte aligned; the contiguous axis of each operand (K or M for A, N or K for B) a multiple of 4,
// so every 4-float chunk is wholly inside or wholly outside the matrix (lowering uses gemm_simt.cu otherwise).
// M, N, K edges are zero-filled. A batch stride of 0 shares that operand across the batch.
// Grid: tilesM·tilesN·splits·batches CTAs on x. With splits > 1, `out` is f32 scratch [splits][batches][M][N] and
// split s sums k steps [s·steps/splits, (s+1)·steps/splits); splitk_reduce.cu adds the splits in order.
#include "tile_tf32.cuh"
#include "gemm_tc.cuh"

#if PF_IN != 0
#error "gemm_tf32.cu takes f32 inputs (PF_IN=0)"
#endif

namespace {

constexpr bool kTransA = PF_TRANS_A != 0, kTransB = PF_TRANS_B != 0;
constexpr int kBM = 128, kBN = 128, kBK = 16;
typedef PfTf32Tile<kBM, kBN, kBK, 2, 4, !kTransA, kTransB, 3> Tile;
PF_CHECK_LAUNCH_RESOURCES(Tile);

}  // namespace

extern "C" __global__ void __launch_bounds__(Tile::THREADS)
pf_gemm_tf32(const pf_in_t* __restrict__ A, const pf_in_t* __restrict__ B, void* __restrict__ out,
             int M, int N, int K, long long strideA, long long strideB,
             int tilesM, int tilesN, int splits, int batches, int outKind) {
    extern __shared__ __align__(16) unsigned char smem[];
    pf_gemm_tc_cta<Tile, kBM, kBN, kBK, kTransA, kTransB>(A, B, out, M, N, K, strideA, strideB, tilesM, tilesN, splits,
                                                         batches, outKind, smem);
}
