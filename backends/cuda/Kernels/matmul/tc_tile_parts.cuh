// The parts the tensor-core tiles (tile_mma.cuh: f16/bf16, tile_tf32.cuh: f32 as tf32) share, so that only their
// fragment loads and mma instruction differ: the Src chunk copy of one stage, the cp.async ring that drives the k
// steps, and the accumulators in the mma.sync D fragment layout (both instructions are m16n8 with f32 accumulators).
#pragma once

#include "mma.cuh"

// Copies one ROWS x COLS shared stage at `s` (row pitch PITCH elements of ELEM_BYTES) as 16-byte cp.async chunks
// spread over THREADS threads. chunk(row, col) is the global source of the chunk starting at (row, col), or null
// outside the matrix: then `any` (a valid address) is read for zero bytes and the chunk is zero-filled.
template <int THREADS, int ROWS, int COLS, int PITCH, int ELEM_BYTES, class Chunk>
__device__ __forceinline__ void pf_copy_stage(unsigned s, Chunk&& chunk, const void* any) {
    constexpr int PER_CHUNK = 16 / ELEM_BYTES, CHUNKS_PER_ROW = COLS / PER_CHUNK, CHUNKS = ROWS * CHUNKS_PER_ROW;
    static_assert(COLS % PER_CHUNK == 0, "shared rows are whole 16-byte chunks");
#pragma unroll
    for (int i = 0; i < (CHUNKS + THREADS - 1) / THREADS; ++i) {
        const int c = (int)threadIdx.x + i * THREADS;
        if (CHUNKS % THREADS == 0 || c < CHUNKS) {
            const int row = c / CHUNKS_PER_ROW, col = (c % CHUNKS_PER_ROW) * PER_CHUNK;
            const void* p = chunk(row, col);
            pf_cp_async16(s + (unsigned)(row * PITCH + col) * (unsigned)ELEM_BYTES, p ? p : any, p ? 16 : 0);
        }
    }
}

// Issues one k step's copies of a tensor-core tile (Tile: the A_/B_ ROWS, COLS and PITCH of its shared stages) from
// the Src's chunks (Src contract: tile_mma.cuh) into the stages at sA and sB.
template <class Tile, int ELEM_BYTES, class Src>
__device__ __forceinline__ void pf_load_stage(const Src& src, int step, unsigned sA, unsigned sB) {
    const auto info = src.step_info(step);
    pf_copy_stage<Tile::THREADS, Tile::A_ROWS, Tile::A_COLS, Tile::A_PITCH, ELEM_BYTES>(
        sA, [&](int row, int col) { return src.a_chunk(info, row, col); }, src.any());
    pf_copy_stage<Tile::THREADS, Tile::B_ROWS, Tile::B_COLS, Tile::B_PITCH, ELEM_BYTES>(
        sB, [&](int row, int col) { return src.b_chunk(info, row, col); }, src.any());
}

// Runs `steps` k steps through a STAGES-deep ring of cp.async groups: load(step, slot) issues step's copies into
// ring slot `slot`, compute(slot) consumes a landed slot. Step t waits until group t has landed (wait_group
// STAGES-2), then prefetches step t+STAGES-1 into the slot step t-1 used, which every warp finished before the
// barrier. Ends with every copy landed and a barrier, so the caller may reuse shared memory.
template <int STAGES, class Load, class Compute>
__device__ __forceinline__ void pf_cp_async_ring(int steps, Load&& load, Compute&& compute) {
    static_assert(STAGES >= 2, "the ring needs at least two slots");
    // Prologue: steps 0 .. STAGES-2 in flight, one commit group each (empty groups keep the count uniform).
#pragma unroll
    for (int s = 0; s < STAGES - 1; ++s) {
        if (s < steps) load(s, s);
        pf_cp_async_commit();
    }
    for (int t = 0; t < steps; ++t) {
        pf_cp_async_wait<STAGES - 2>();   // groups 0..t have landed (this thread's copies)
        __syncthreads();                  // ... and every other thread's; slot of step t-1 is free
        const int next = t + STAGES - 1;
        if (next < steps) load(next, next % STAGES);
        pf_cp_async_commit();
        compute(t % STAGES);
    }
    pf_cp_async_wait<0>();
    __syncthreads();
}

// The main loop of a tensor-core tile: zeroes the accumulators, then runs `steps` k steps of the Src through the ring
// of STAGES shared slots, each slot Tile's A stage followed by its B stage (Tile::SMEM_BYTES at smem, 16-byte
// aligned). compute(sA, a, warp_m, warp_n, lane) multiplies a landed slot whose A stage starts at shared address sA
// (generic pointer a); the B stage follows at sA + Tile::A_STAGE_BYTES.
template <int STAGES, int ELEM_BYTES, class Tile, class Src, class Compute>
__device__ __forceinline__ void pf_run_tc_tile(Tile& tile, const Src& src, int steps, unsigned char* smem,
                                               Compute&& compute) {
    constexpr int STAGE_BYTES = Tile::A_STAGE_BYTES + Tile::B_STAGE_BYTES;
    tile.zero();
    const unsigned base = pf_smem_addr(smem);
    int warp_m, warp_n, lane;
    Tile::warp_position(warp_m, warp_n, lane);
    auto load = [&](int step, int slot) {
        const unsigned sA = base + (unsigned)(slot * STAGE_BYTES);
        pf_load_stage<Tile, ELEM_BYTES>(src, step, sA, sA + Tile::A_STAGE_BYTES);
    };
    auto consume = [&](int slot) {
        compute(base + (unsigned)(slot * STAGE_BYTES), smem + slot * STAGE_BYTES, warp_m, warp_n, lane);
    };
    pf_cp_async_ring<STAGES>(steps, load, consume);
}

// A CTA's f32 accumulators as WARPS_M x WARPS_N warps, each MI x NI m16n8 tiles of WM x WN.
template <int WARPS_N, int WM, int WN, int MI, int NI>
struct PfMmaAccumulators {
    float acc[MI][NI][4];

    __device__ __forceinline__ void zero() {
#pragma unroll
        for (int mi = 0; mi < MI; ++mi)
#pragma unroll
            for (int ni = 0; ni < NI; ++ni)
#pragma unroll
                for (int e = 0; e < 4; ++e) acc[mi][ni][e] = 0.0f;
    }

    // This thread's lane and its warp's row and column in the warp grid.
    __device__ __forceinline__ static void warp_position(int& warp_m, int& warp_n, int& lane) {
        const int warp = (int)threadIdx.x / 32;
        lane = (int)threadIdx.x % 32;
        warp_m = warp / WARPS_N;
        warp_n = warp % WARPS_N;
    }

    // Calls f(row, col, value) for every accumulator (tile-local row/column), following the D fragment layout.
    template <class F>
    __device__ __forceinline__ void for_each(F&& f) const {
        int warp_m, warp_n, lane;
        warp_position(warp_m, warp_n, lane);
        const int g = lane >> 2, t = lane & 3;
        // One flat, fully unrolled loop: every acc index is a compile-time constant, so acc stays in registers.
#pragma unroll
        for (int i = 0; i < MI * NI * 4; ++i) {
            const int mi = i / (NI * 4), ni = (i / 4) % NI, e = i % 4;
            const int r = warp_m * WM + mi * 16 + g + (e >> 1) * 8;
            const int c = warp_n * WN + ni * 8 + 2 * t + (e & 1);
            f(r, c, acc[mi][ni][e]);
        }
    }
};
