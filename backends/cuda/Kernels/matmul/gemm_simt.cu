// Dense batched GEMM without tensor cores: C[b] = op(A[b])·op(B[b]) with f32 FFMA accumulation (exact f32 math for
// f32 inputs; also the fallback for f16/bf16 operands whose rows are not 16-byte aligned), result rounded to the
// output dtype, or f32 partial sums per k-split.
// Define: PF_IN (0 = f32, 1 = f16, 2 = bf16). Transposes are element strides (op(A)[m][k] = A[m·sAm + k·sAk],
// op(B)[k][n] = B[k·sBk + n·sBn]), so one variant per input dtype serves all four combinations.
// Tiling: 128x128 CTA tile, BK = 8, 256 threads each an 8x8 register block (tile_simt.cuh).
// Grid and split-K exactly as gemm_mma.cu: tilesM·tilesN·splits·batches CTAs; splits > 1 writes f32 scratch.
#include "tile_simt.cuh"

namespace {

constexpr int kBM = 128, kBN = 128, kBK = 8;
typedef PfSimtTile<kBM, kBN, kBK, 8, 8> Tile;

struct DenseSrc {
    const pf_in_t* A;
    const pf_in_t* B;
    int M, N, K, m0, n0, k0;
    int sAm, sAk, sBk, sBn;

    struct Step {
        int kb;   // first k of this step
    };
    __device__ __forceinline__ Step step_info(int step) const { return Step{k0 + step * kBK}; }

    __device__ __forceinline__ float a(const Step& st, int m, int k) const {
        const int gm = m0 + m, gk = st.kb + k;
        return (gm < M && gk < K) ? pf_to_float(A[(long long)gm * sAm + (long long)gk * sAk]) : 0.0f;
    }
    __device__ __forceinline__ float b(const Step& st, int k, int n) const {
        const int gk = st.kb + k, gn = n0 + n;
        return (gk < K && gn < N) ? pf_to_float(B[(long long)gk * sBk + (long long)gn * sBn]) : 0.0f;
    }
    __device__ __forceinline__ bool a_m_fast() const { return sAm == 1; }
    __device__ __forceinline__ bool b_n_fast() const { return sBn == 1; }
};

}  // namespace

extern "C" __global__ void __launch_bounds__(Tile::THREADS)
pf_gemm_simt(const pf_in_t* __restrict__ A, const pf_in_t* __restrict__ B, void* __restrict__ out,
             int M, int N, int K, long long strideA, long long strideB,
             int sAm, int sAk, int sBk, int sBn,
             int tilesM, int tilesN, int splits, int batches, int outKind) {
    __shared__ float smem[Tile::SMEM_FLOATS];
    const PfTileCoord at = pf_tile_coord(tilesM * tilesN, 1, splits);
    const int tm = at.tile / tilesN, tn = at.tile % tilesN;
    const int totalSteps = (K + kBK - 1) / kBK;
    int s0, s1;
    pf_split_range(totalSteps, at.split, splits, s0, s1);

    DenseSrc src{A + at.batch * strideA, B + at.batch * strideB, M, N, K, tm * kBM, tn * kBN, s0 * kBK,
                 sAm, sAk, sBk, sBn};
    Tile tile;
    tile.run(src, s1 - s0, smem);
    pf_store_tile(tile, out, pf_dense_window(at.batch, batches, M, N, src.m0, src.n0), at.split, splits, outKind);
}
