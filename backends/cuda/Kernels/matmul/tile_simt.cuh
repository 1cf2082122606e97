// The exact-f32 main loop (FFMA, no tensor cores) every SIMT matmul kernel shares: one CTA accumulates a BM x BN
// tile of C += op(A)·op(B) over BK-deep k steps, each thread a TM x TN register block. Inputs of any PF_IN type are
// widened to f32 as they are loaded, so this is also the fallback for f16/bf16 operands the tensor-core path cannot
// take (rows not 16-byte aligned).
//
// Src contract (tile-local coordinates; out-of-range elements must read as 0):
//   Step step_info(int step) const — per-step facts (table look-ups) computed once per step;
//   float a(const Step&, int m, int k) const, float b(const Step&, int k, int n) const;
//   bool a_m_fast() const, b_n_fast() const — whether consecutive m (resp. n) are adjacent in memory, so the
//   loader gives consecutive threads consecutive addresses (coalesced) along that axis.
// Thread (tx, ty) = (tid % TX, tid / TX) owns rows ty + i·TY and columns tx + j·TX: interleaved so that a warp's
// shared reads of B are consecutive words and its output stores are coalesced.
// Pipeline: the next step's elements are loaded into registers while the current step is multiplied.
#pragma once

#include "matmul_io.cuh"

template <int BM, int BN, int BK, int TM, int TN>
struct PfSimtTile {
    static constexpr int TX = BN / TN, TY = BM / TM, THREADS = TX * TY;
    static constexpr int A_ELEMS = (BM * BK + THREADS - 1) / THREADS;   // per thread per step
    static constexpr int B_ELEMS = (BK * BN + THREADS - 1) / THREADS;
    static constexpr int A_PITCH = BM + 4;   // +4 words: the [k][m] stores of a k-fast load hit distinct banks
    static constexpr int B_PITCH = BN + 4;
    static_assert(BM % TM == 0 && BN % TN == 0, "register blocks must tile the CTA tile");

    float acc[TM][TN];

    template <class Src>
    __device__ __forceinline__ void fetch(const Src& src, int step, float (&ra)[A_ELEMS], float (&rb)[B_ELEMS]) const {
        const bool am = src.a_m_fast(), bn = src.b_n_fast();
        const auto info = src.step_info(step);
#pragma unroll
        for (int i = 0; i < A_ELEMS; ++i) {
            int e = (int)threadIdx.x + i * THREADS;
            int m = am ? e % BM : e / BK, k = am ? e / BM : e % BK;
            ra[i] = (e < BM * BK) ? src.a(info, m, k) : 0.0f;
        }
#pragma unroll
        for (int i = 0; i < B_ELEMS; ++i) {
            int e = (int)threadIdx.x + i * THREADS;
            int n = bn ? e % BN : e / BK, k = bn ? e / BN : e % BK;
            rb[i] = (e < BK * BN) ? src.b(info, k, n) : 0.0f;
        }
    }

    template <class Src>
    __device__ __forceinline__ void run(const Src& src, int steps, float* smem) {
        float* As = smem;                 // [BK][A_PITCH]
        float* Bs = smem + BK * A_PITCH;  // [BK][B_PITCH]
        const int tx = (int)threadIdx.x % TX, ty = (int)threadIdx.x / TX;
        const bool am = src.a_m_fast(), bn = src.b_n_fast();
#pragma unroll
        for (int i = 0; i < TM; ++i)
#pragma unroll
            for (int j = 0; j < TN; ++j) acc[i][j] = 0.0f;

        float ra[A_ELEMS], rb[B_ELEMS];
        if (steps > 0) fetch(src, 0, ra, rb);
        for (int t = 0; t < steps; ++t) {
            __syncthreads();   // everyone is done reading the previous step's tile
#pragma unroll
            for (int i = 0; i < A_ELEMS; ++i) {
                int e = (int)threadIdx.x + i * THREADS;
                int m = am ? e % BM : e / BK, k = am ? e / BM : e % BK;
                if (e < BM * BK) As[k * A_PITCH + m] = ra[i];
            }
#pragma unroll
            for (int i = 0; i < B_ELEMS; ++i) {
                int e = (int)threadIdx.x + i * THREADS;
                int n = bn ? e % BN : e / BK, k = bn ? e / BN : e % BK;
                if (e < BK * BN) Bs[k * B_PITCH + n] = rb[i];
            }
            __syncthreads();
            if (t + 1 < steps) fetch(src, t + 1, ra, rb);   // global latency overlaps the FFMAs below
#pragma unroll
            for (int k = 0; k < BK; ++k) {
                float av[TM], bv[TN];
#pragma unroll
                for (int i = 0; i < TM; ++i) av[i] = As[k * A_PITCH + ty + i * TY];
#pragma unroll
                for (int j = 0; j < TN; ++j) bv[j] = Bs[k * B_PITCH + tx + j * TX];
#pragma unroll
                for (int i = 0; i < TM; ++i)
#pragma unroll
                    for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
            }
        }
    }

    static constexpr int SMEM_FLOATS = BK * (A_PITCH + B_PITCH);

    // Calls f(row, col, value) for every accumulator (tile-local).
    template <class F>
    __device__ __forceinline__ void for_each(F&& f) const {
        const int tx = (int)threadIdx.x % TX, ty = (int)threadIdx.x / TX;
#pragma unroll
        for (int i = 0; i < TM; ++i)
#pragma unroll
            for (int j = 0; j < TN; ++j) f(ty + i * TY, tx + j * TX, acc[i][j]);
    }
};
