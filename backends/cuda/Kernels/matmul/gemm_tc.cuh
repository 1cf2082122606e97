// The dense batched GEMM the tensor-core variants share (gemm_mma.cu: f16/bf16, gemm_tf32.cu: f32 as tf32): grid
// decode, L2-grouped tile order, k-split range, the operands' 16-byte chunk addresses and the epilogue. A variant
// picks its Tile (tile_mma.cuh or tile_tf32.cuh) and exports the entry point.
// Grid, split-K and assumptions: gemm_mma.cu.
#pragma once

#include "tc_kernel.cuh"
#include "matmul_io.cuh"

// A is [M][K] (or [K][M] when transposed), B is [K][N] (or [N][K]); both already offset to this batch.
// Src of the tensor-core tiles (tile_mma.cuh): chunks outside M, N or K are null (zero-filled).
template <int BK, bool TRANS_A, bool TRANS_B>
struct PfDenseChunkSrc {
    const pf_in_t* A;
    const pf_in_t* B;
    int M, N, K, m0, n0, k0;

    struct Step {
        int kb;   // first k of this step
    };
    __device__ __forceinline__ Step step_info(int step) const { return Step{k0 + step * BK}; }

    __device__ __forceinline__ const void* a_chunk(const Step& st, int row, int col) const {
        const int kb = st.kb;
        if (!TRANS_A) {   // shared [m][k]
            const int m = m0 + row, k = kb + col;
            return (m < M && k < K) ? A + (long long)m * K + k : nullptr;
        }
        const int k = kb + row, m = m0 + col;   // shared [k][m]
        return (k < K && m < M) ? A + (long long)k * M + m : nullptr;
    }

    __device__ __forceinline__ const void* b_chunk(const Step& st, int row, int col) const {
        const int kb = st.kb;
        if (TRANS_B) {   // shared [n][k]
            const int n = n0 + row, k = kb + col;
            return (n < N && k < K) ? B + (long long)n * K + k : nullptr;
        }
        const int k = kb + row, n = n0 + col;   // shared [k][n]
        return (k < K && n < N) ? B + (long long)k * N + n : nullptr;
    }

    __device__ __forceinline__ const void* any() const { return A; }
};

// One CTA of a tensor-core GEMM variant: tile (grouped order), batch and k-split from blockIdx.x, then the main loop
// and the epilogue. smem: Tile::SMEM_BYTES of dynamic shared memory.
template <class Tile, int BM, int BN, int BK, bool TRANS_A, bool TRANS_B>
__device__ __forceinline__ void pf_gemm_tc_cta(const pf_in_t* __restrict__ A, const pf_in_t* __restrict__ B,
                                               void* __restrict__ out, int M, int N, int K, long long strideA,
                                               long long strideB, int tilesM, int tilesN, int splits, int batches,
                                               int outKind, unsigned char* smem) {
    const PfTileCoord at = pf_tile_coord(tilesM * tilesN, 1, splits);
    int tm, tn;
    pf_grouped_tile(at.tile, tilesM, tilesN, tm, tn);
    int s0, s1;
    pf_split_range((K + BK - 1) / BK, at.split, splits, s0, s1);

    const PfDenseChunkSrc<BK, TRANS_A, TRANS_B> src{A + at.batch * strideA, B + at.batch * strideB, M, N, K,
                                                    tm * BM, tn * BN, s0 * BK};
    Tile tile;
    tile.run(src, s1 - s0, smem);
    pf_store_tile(tile, out, pf_dense_window(at.batch, batches, M, N, src.m0, src.n0), at.split, splits, outKind);
}
