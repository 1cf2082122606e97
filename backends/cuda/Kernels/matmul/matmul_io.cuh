// Element I/O shared by the matmul-family kernels: the input element type chosen by PF_IN (0 = f32, 1 = f16,
// 2 = bf16) and an output store whose dtype is a run-time argument (0 = f32, 1 = f16, 2 = bf16; uniform across the
// grid, so the switch costs one predictable branch per element). Results are rounded to nearest even.
#pragma once

#include "common.cuh"

#ifndef PF_IN
#define PF_IN 0
#endif

#if PF_IN == 0
typedef float pf_in_t;
#elif PF_IN == 1
typedef pf_half pf_in_t;
#elif PF_IN == 2
typedef pf_bf16 pf_in_t;
#else
#error "PF_IN must be 0 (f32), 1 (f16) or 2 (bf16)"
#endif

__device__ __forceinline__ float pf_to_float(float v) { return v; }
__device__ __forceinline__ float pf_to_float(unsigned short v) {
#if PF_IN == 2
    return pf_bf16_to_float(v);
#else
    return pf_half_to_float(v);
#endif
}

// out[index] = v rounded to the output dtype.
__device__ __forceinline__ void pf_store_out(void* out, long long index, float v, int out_kind) {
    if (out_kind == 0)
        static_cast<float*>(out)[index] = v;
    else if (out_kind == 1)
        static_cast<pf_half*>(out)[index] = pf_float_to_half(v);
    else
        static_cast<pf_bf16*>(out)[index] = pf_float_to_bf16(v);
}

// Linear block index → (tile, line, split, batch), fastest first. One grid axis holds them all so that no
// dimension meets the 65535 limit of gridDim.y/z.
struct PfTileCoord {
    int tile, line, split, batch;
};

__device__ __forceinline__ PfTileCoord pf_tile_coord(int tiles, int lines, int splits) {
    long long r = blockIdx.x;
    PfTileCoord c;
    c.tile = (int)(r % tiles);
    r /= tiles;
    c.line = (int)(r % lines);
    r /= lines;
    c.split = (int)(r % splits);
    c.batch = (int)(r / splits);
    return c;
}

// Tile index → (tile row, tile column) in groups of 8 tile rows: consecutive CTAs walk down a group's rows before
// moving one column right, so the CTAs resident at once share a few B column panels and A row panels in L2 instead
// of each streaming its own. A bijection on [0, tilesM·tilesN).
__device__ __forceinline__ void pf_grouped_tile(int tile, int tilesM, int tilesN, int& tm, int& tn) {
    const int kGroup = 8;
    const int group = tile / (kGroup * tilesN);
    const int first = group * kGroup;
    const int rows = tilesM - first < kGroup ? tilesM - first : kGroup;
    const int local = tile - group * kGroup * tilesN;
    tm = first + local % rows;
    tn = local / rows;
}

// The [begin, end) share of split s out of `splits` over `count` items: even, deterministic, covers all.
__device__ __forceinline__ void pf_split_range(int count, int s, int splits, int& begin, int& end) {
    begin = (int)((long long)count * s / splits);
    end = (int)((long long)count * (s + 1) / splits);
}

// Where a CTA's BM x BN accumulator tile lands in the output: flat index of tile element (0, 0) for this batch,
// the output row pitch, how many tile rows/columns lie inside the output, and the outputs per k-split (all batches),
// which spaces the f32 partial-sum slices when splits > 1.
struct PfOutWindow {
    long long idx0, count;
    int rowPitch, rowLimit, colLimit;
};

// The window of tile (m0, n0) of batch `batch` in a dense [batches][M][N] output.
__device__ __forceinline__ PfOutWindow pf_dense_window(int batch, int batches, int M, int N, int m0, int n0) {
    const long long mn = (long long)M * N;
    return PfOutWindow{batch * mn + (long long)m0 * N + n0, batches * mn, N, M - m0, N - n0};
}

// The predicated epilogue of every matmul kernel: each accumulator inside the window is rounded to the output dtype,
// or, with splits > 1, written as an f32 partial sum into split `split`'s slice of the scratch (splitk_reduce.cu).
// Tile: any tile with for_each(f(row, col, value)) (tile_mma.cuh, tile_tf32.cuh, tile_simt.cuh).
template <class Tile>
__device__ __forceinline__ void pf_store_tile(const Tile& tile, void* out, const PfOutWindow& w, int split, int splits,
                                              int outKind) {
    const long long splitBase = (long long)split * w.count;
    tile.for_each([&](int r, int c, float v) {
        if (r < w.rowLimit && c < w.colLimit) {
            const long long idx = w.idx0 + (long long)r * w.rowPitch + c;
            if (splits == 1)
                pf_store_out(out, idx, v, outKind);
            else
                static_cast<float*>(out)[splitBase + idx] = v;
        }
    });
}

// p[index] = v rounded to the PF_IN dtype (kernels whose output has the input's type).
__device__ __forceinline__ void pf_store_in(pf_in_t* p, long long index, float v) {
#if PF_IN == 0
    p[index] = v;
#elif PF_IN == 1
    p[index] = pf_float_to_half(v);
#else
    p[index] = pf_float_to_bf16(v);
#endif
}
