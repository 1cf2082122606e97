// The tensor-core main loop every f16/bf16 matmul kernel shares: one CTA accumulates a BM x BN tile of
// C += op(A)·op(B) over a sequence of BK-deep k steps in f32. Where each step's A and B rows come from is the
// caller's Src (dense GEMM walks K; block-sparse kernels walk the stored blocks of one block line), so the
// pipeline, shared layout and fragment math exist once.
//
// Src contract (all coordinates tile-local; a null pointer means "outside the matrix": the 16 bytes are zero-filled):
//   Step step_info(int step) const                         — per-step facts (table look-ups) computed once per step;
//   const void* a_chunk(const Step&, int row, int col) const — 8 consecutive elements of A's shared row `row`,
//   const void* b_chunk(const Step&, int row, int col) const   starting at column `col` (a multiple of 8);
//   const void* any() const                                 — a valid global address for the zero-fill copies.
// Shared layouts follow the operand's contiguous axis so every copy is one aligned 16-byte cp.async:
//   A_KMAJOR: A tile stored [BM][BK] (rows m, k contiguous), else [BK][BM] (rows k, m contiguous);
//   B_KMAJOR: B tile stored [BN][BK] (rows n, k contiguous), else [BK][BN].
// Each shared row is padded by 8 elements (16 bytes): the 8 row addresses of one ldmatrix phase then fall in
// distinct 16-byte bank groups (pitch ≡ 4 words mod 32 for the tile widths used), so ldmatrix is conflict-free.
// Pipeline: STAGES-deep ring of cp.async groups (pf_cp_async_ring, tc_tile_parts.cuh).
#pragma once

#include "tc_tile_parts.cuh"

template <int BM, int BN, int BK, int WARPS_M, int WARPS_N, bool A_KMAJOR, bool B_KMAJOR, int STAGES, bool IS_BF16>
struct PfMmaTile
    : PfMmaAccumulators<WARPS_N, BM / WARPS_M, BN / WARPS_N, BM / WARPS_M / 16, BN / WARPS_N / 8> {
    static constexpr int THREADS = WARPS_M * WARPS_N * 32;
    static constexpr int WM = BM / WARPS_M;   // rows of C per warp
    static constexpr int WN = BN / WARPS_N;   // columns of C per warp
    static constexpr int MI = WM / 16;        // m16 tiles per warp
    static constexpr int NI = WN / 8;         // n8 tiles per warp
    static constexpr int PAD = 8;
    static constexpr int A_ROWS = A_KMAJOR ? BM : BK, A_COLS = A_KMAJOR ? BK : BM, A_PITCH = A_COLS + PAD;
    static constexpr int B_ROWS = B_KMAJOR ? BN : BK, B_COLS = B_KMAJOR ? BK : BN, B_PITCH = B_COLS + PAD;
    static constexpr int A_STAGE_BYTES = A_ROWS * A_PITCH * 2;
    static constexpr int B_STAGE_BYTES = B_ROWS * B_PITCH * 2;
    static constexpr int SMEM_BYTES = STAGES * (A_STAGE_BYTES + B_STAGE_BYTES);

    static_assert(BM % WARPS_M == 0 && BN % WARPS_N == 0, "warp grid must divide the tile");
    static_assert(WM % 16 == 0, "a warp covers whole m16 tiles");
    static_assert(WN % 16 == 0, "a warp covers pairs of n8 tiles (one ldmatrix.x4 loads two)");
    static_assert(BK % 16 == 0, "k steps are whole k16 mma steps");
    static_assert(A_COLS % 8 == 0 && B_COLS % 8 == 0, "shared rows are whole 16-byte chunks");

    // One BK-deep step from shared memory: ldmatrix fragments, then MI x NI mma.sync.
    __device__ __forceinline__ void compute_stage(unsigned sA, unsigned sB, int warp_m, int warp_n, int lane) {
#pragma unroll
        for (int kk = 0; kk < BK / 16; ++kk) {
            const int k0 = kk * 16;
            unsigned af[MI][4];
            unsigned bf[NI][2];
#pragma unroll
            for (int mi = 0; mi < MI; ++mi) {
                const int m0 = warp_m * WM + mi * 16;
                if (A_KMAJOR) {
                    // Matrix j = lane/8 is (rows +8·(j%2), k +8·(j/2)): lane supplies row m0 + lane%16, k0 + 8·(lane/16).
                    unsigned addr = sA + (unsigned)((m0 + (lane & 15)) * A_PITCH + k0 + (lane >> 4) * 8) * 2u;
                    pf_ldmatrix_x4(af[mi], addr);
                } else {
                    // Stored rows are k: matrix j covers k +8·(j/2), m +8·(j%2); .trans hands each lane A[m][k..k+1].
                    unsigned addr = sA + (unsigned)((k0 + (lane >> 4) * 8 + (lane & 7)) * A_PITCH + m0 + ((lane >> 3) & 1) * 8) * 2u;
                    pf_ldmatrix_x4_trans(af[mi], addr);
                }
            }
#pragma unroll
            for (int nj = 0; nj < NI / 2; ++nj) {
                const int n0 = warp_n * WN + nj * 16;
                unsigned r[4];
                if (B_KMAJOR) {
                    // Matrix j covers n +8·(j/2), k +8·(j%2): r0,r1 = b0,b1 of n-tile 2nj; r2,r3 of n-tile 2nj+1.
                    unsigned addr = sB + (unsigned)((n0 + (lane >> 4) * 8 + (lane & 7)) * B_PITCH + k0 + ((lane >> 3) & 1) * 8) * 2u;
                    pf_ldmatrix_x4(r, addr);
                } else {
                    // Stored rows are k: matrix j covers k +8·(j%2), n +8·(j/2); .trans hands each lane B[k..k+1][n].
                    unsigned addr = sB + (unsigned)((k0 + ((lane >> 3) & 1) * 8 + (lane & 7)) * B_PITCH + n0 + (lane >> 4) * 8) * 2u;
                    pf_ldmatrix_x4_trans(r, addr);
                }
                bf[2 * nj][0] = r[0];
                bf[2 * nj][1] = r[1];
                bf[2 * nj + 1][0] = r[2];
                bf[2 * nj + 1][1] = r[3];
            }
#pragma unroll
            for (int mi = 0; mi < MI; ++mi)
#pragma unroll
                for (int ni = 0; ni < NI; ++ni)
                    pf_mma_16816<IS_BF16>(this->acc[mi][ni], af[mi], bf[ni][0], bf[ni][1]);
        }
    }

    // acc = Σ over `steps` k steps of the Src's tiles. smem: SMEM_BYTES of dynamic shared memory (16-byte aligned).
    // Ends with every copy landed and a barrier, so the caller may reuse shared memory.
    template <class Src>
    __device__ __forceinline__ void run(const Src& src, int steps, unsigned char* smem) {
        pf_run_tc_tile<STAGES, 2>(*this, src, steps, smem,
                                  [&](unsigned sA, const unsigned char*, int warp_m, int warp_n, int lane) {
                                      compute_stage(sA, sA + A_STAGE_BYTES, warp_m, warp_n, lane);
                                  });
    }
};
