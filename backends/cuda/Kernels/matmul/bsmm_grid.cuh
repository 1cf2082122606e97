// The block-sparse grid both bsmm kernels share (bsmm_mma.cu on tensor cores, bsmm_simt.cu on FFMA): the PF_BLOCK
// check, the walk along one block line's stored blocks (Dsd/Dds k steps), and where each mode's CTA tile lands in
// the output. Modes, tables and split-K: bsmm_mma.cu.
#pragma once

#include "matmul_io.cuh"

#if PF_BLOCK != 16 && PF_BLOCK != 32 && PF_BLOCK != 64
#error "PF_BLOCK must be 16, 32 or 64"
#endif

// Dsd/Dds: a CTA's k steps are BK-deep slices of its share of one block line's stored blocks, entries [e0, ...) of
// the table's storage-index and position lists.
template <int B, int BK>
struct PfBlockLineWalk {
    static constexpr int SUB_STEPS = B / BK;   // k steps per stored block
    const pf_in_t* W;                          // the sparse operand, this batch
    const int* blocks;                         // storage index of each entry
    const int* positions;                      // block index along k of each entry (q of op(W) for Dsd, p for Dds)
    int e0;

    struct Step {
        const pf_in_t* blk;   // this entry's b x b block
        int k;                // first k of this step in the dense operand: position·b + kin
        int kin;              // first k of this step inside the block
    };
    __device__ __forceinline__ Step step(int step) const {
        const int e = e0 + step / SUB_STEPS, kin = step % SUB_STEPS * BK;
        return Step{W + (long long)blocks[e] * (B * B), positions[e] * B + kin, kin};
    }
};

// Split `split`'s share of block line `line` (table: BlockLineTable, [lines + 1 starts][nnz blocks][nnz positions])
// and its number of k steps.
template <int B, int BK>
__device__ __forceinline__ PfBlockLineWalk<B, BK> pf_line_walk(const pf_in_t* W, const int* table, int lines, int nnz,
                                                               int line, int split, int splits, int& steps) {
    int e0, e1;
    pf_split_range(table[line + 1] - table[line], split, splits, e0, e1);
    steps = (e1 - e0) * PfBlockLineWalk<B, BK>::SUB_STEPS;
    return PfBlockLineWalk<B, BK>{W, table + lines + 1, table + lines + 1 + nnz, table[line] + e0};
}

// The output window of CTA `at` (BM x BN tile) in mode PF_MODE: Sdd writes stored block at.tile ([batch][nnz][b][b]),
// Dsd rows of block row at.line by columns from at.tile·BN, Dds rows from at.tile·BM by block column at.line.
template <int B, int BM, int BN>
__device__ __forceinline__ PfOutWindow pf_bsmm_window(const PfTileCoord& at, int M, int N, int nnz, int batches) {
#if PF_MODE == 0
    return PfOutWindow{((long long)at.batch * nnz + at.tile) * (B * B), (long long)batches * nnz * B * B, B, B, B};
#elif PF_MODE == 1
    const int n0 = at.tile * BN;
    return PfOutWindow{(long long)at.batch * M * N + (long long)at.line * B * N + n0, (long long)batches * M * N, N, B,
                       N - n0};
#else
    const int m0 = at.tile * BM;
    return PfOutWindow{(long long)at.batch * M * N + (long long)m0 * N + at.line * B, (long long)batches * M * N, N,
                       M - m0, B};
#endif
}
