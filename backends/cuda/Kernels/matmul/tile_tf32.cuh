// The TF32 tensor-core main loop for f32 operands (opt-in: PIXELFLY_ENABLE=cuda.tf32, CudaLoweringLimits.Tf32):
// the same CTA/warp tiling, Src contract and cp.async ring as tile_mma.cuh, with 4-byte elements (a 16-byte chunk
// is 4 floats), mma.sync m16n8k8 tf32 and fragments read with 32-bit shared loads (ldmatrix moves 16-bit rows), each
// rounded to tf32 (cvt.rna) as it is loaded.
// Shared rows are padded so one fragment load is conflict-free: a k-contiguous row ([m][k] or [n][k]) has a pitch
// ≡ 20 words mod 32 (lanes g·20 + t hit 32 distinct banks), an m- or n-contiguous row ([k][m], [k][n]) a pitch
// ≡ 8 mod 32 (lanes t·8 + g).
#pragma once

#include "tc_tile_parts.cuh"

template <int BM, int BN, int BK, int WARPS_M, int WARPS_N, bool A_KMAJOR, bool B_KMAJOR, int STAGES>
struct PfTf32Tile
    : PfMmaAccumulators<WARPS_N, BM / WARPS_M, BN / WARPS_N, BM / WARPS_M / 16, BN / WARPS_N / 8> {
    static constexpr int THREADS = WARPS_M * WARPS_N * 32;
    static constexpr int WM = BM / WARPS_M, WN = BN / WARPS_N;
    static constexpr int MI = WM / 16, NI = WN / 8;
    static constexpr int A_ROWS = A_KMAJOR ? BM : BK, A_COLS = A_KMAJOR ? BK : BM, A_PITCH = A_COLS + (A_KMAJOR ? 4 : 8);
    static constexpr int B_ROWS = B_KMAJOR ? BN : BK, B_COLS = B_KMAJOR ? BK : BN, B_PITCH = B_COLS + (B_KMAJOR ? 4 : 8);
    static constexpr int A_STAGE_BYTES = A_ROWS * A_PITCH * 4;
    static constexpr int B_STAGE_BYTES = B_ROWS * B_PITCH * 4;
    static constexpr int SMEM_BYTES = STAGES * (A_STAGE_BYTES + B_STAGE_BYTES);

    static_assert(WM % 16 == 0 && WN % 8 == 0 && BK % 8 == 0, "whole m16n8k8 tiles");
    static_assert(A_COLS % 4 == 0 && B_COLS % 4 == 0, "shared rows are whole 16-byte chunks");

    // Element (m, k) of the A stage and (k, n) of the B stage, rounded to tf32.
    __device__ __forceinline__ static unsigned a_at(const float* sA, int m, int k) {
        return pf_to_tf32(A_KMAJOR ? sA[m * A_PITCH + k] : sA[k * A_PITCH + m]);
    }
    __device__ __forceinline__ static unsigned b_at(const float* sB, int k, int n) {
        return pf_to_tf32(B_KMAJOR ? sB[n * B_PITCH + k] : sB[k * B_PITCH + n]);
    }

    __device__ __forceinline__ void compute_stage(const float* sA, const float* sB, int warp_m, int warp_n, int lane) {
        const int g = lane >> 2, t = lane & 3;
#pragma unroll
        for (int kk = 0; kk < BK / 8; ++kk) {
            const int k0 = kk * 8;
            unsigned af[MI][4], bf[NI][2];
#pragma unroll
            for (int mi = 0; mi < MI; ++mi) {
                const int m0 = warp_m * WM + mi * 16;
                af[mi][0] = a_at(sA, m0 + g, k0 + t);
                af[mi][1] = a_at(sA, m0 + g + 8, k0 + t);
                af[mi][2] = a_at(sA, m0 + g, k0 + t + 4);
                af[mi][3] = a_at(sA, m0 + g + 8, k0 + t + 4);
            }
#pragma unroll
            for (int ni = 0; ni < NI; ++ni) {
                const int n0 = warp_n * WN + ni * 8;
                bf[ni][0] = b_at(sB, k0 + t, n0 + g);
                bf[ni][1] = b_at(sB, k0 + t + 4, n0 + g);
            }
#pragma unroll
            for (int mi = 0; mi < MI; ++mi)
#pragma unroll
                for (int ni = 0; ni < NI; ++ni) pf_mma_1688_tf32(this->acc[mi][ni], af[mi], bf[ni][0], bf[ni][1]);
        }
    }

    // As PfMmaTile::run: acc = Σ over `steps` k steps; ends with every copy landed and a barrier.
    template <class Src>
    __device__ __forceinline__ void run(const Src& src, int steps, unsigned char* smem) {
        pf_run_tc_tile<STAGES, 4>(*this, src, steps, smem,
                                  [&](unsigned, const unsigned char* a, int warp_m, int warp_n, int lane) {
                                      compute_stage(reinterpret_cast<const float*>(a),
                                                    reinterpret_cast<const float*>(a + A_STAGE_BYTES), warp_m, warp_n,
                                                    lane);
                                  });
    }
};
