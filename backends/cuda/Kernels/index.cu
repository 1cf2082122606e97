// gather (embedding lookup), one_hot and scatter_add (gather's backward), plus an index check for the cases
// with rows of no elements. Indices are i32. A bad gather or scatter_add index is reported through the status
// words (tag, index, limit, position in the indices), as the reference raises it; one_hot gives a zero row.
#include "ops.cuh"

// Rows of output one scatter_add block accumulates at most (registers per thread); keep in sync with
// Lowering/IndexLowering.cs (IndexLowering.MaxTileRows).
#define PF_SCATTER_TILE_ROWS 16

// y[i, j] = table[indices[i], j] for i < count / rowLength, j < rowLength; elements of elementSize bytes.
// A bad index is reported once (by its j = 0 thread) and its row is written as zeros.
extern "C" __global__ void pf_gather(void* y, const int* indices, const void* table, int* status,
                                     int elementSize, long long count, int rowLength, int tableRows, int tag) {
    for (long long e = pf_first_item(); e < count; e += pf_item_stride()) {
        long long i = e / rowLength;
        int j = (int)(e - i * rowLength);
        int index = indices[i];
        unsigned int bits = 0u;
        if (index < 0 || index >= tableRows) {
            if (j == 0) pf_report_at(status, tag, index, tableRows, (int)i);
        } else {
            bits = pf_load_bits(table, (long long)index * rowLength + j, elementSize);
        }
        pf_store_bits(y, e, elementSize, bits);
    }
}

// y[i, k] = (indices[i] == k) ? 1 : 0 in dtype, for k < depth; an index outside [0, depth) matches no k.
extern "C" __global__ void pf_one_hot(void* y, const int* indices, int dtype, long long count, int depth) {
    for (long long e = pf_first_item(); e < count; e += pf_item_stride()) {
        long long i = e / depth;
        int k = (int)(e - i * depth);
        pf_store(y, e, dtype, indices[i] == k ? 1.0f : 0.0f);
    }
}

// Reports the first index (lowest position) outside [0, limit). One block walks the indices in chunks, so the
// report names the same position on every run. Used where no element moves (rows of length 0) but a bad index
// must still fail, as on every other backend.
extern "C" __global__ void pf_check_indices(const int* indices, int* status, int indexCount, int limit, int tag) {
    __shared__ int firstBad;
    for (int start = 0; start < indexCount; start += PF_OPS_BLOCK) {
        if (threadIdx.x == 0) firstBad = 0x7fffffff;
        __syncthreads();
        int q = start + (int)threadIdx.x;
        if (q < indexCount && (indices[q] < 0 || indices[q] >= limit)) atomicMin(&firstBad, q);
        __syncthreads();
        int bad = firstBad;
        if (bad != 0x7fffffff) {
            if (threadIdx.x == 0) pf_report_at(status, tag, indices[bad], limit, bad);
            return; // uniform: every thread read the same firstBad
        }
        __syncthreads(); // before thread 0 resets firstBad for the next chunk
    }
}

// y[row, j] = sum over positions i with indices[i] == row, in increasing i, of updates[i, j]; rows of rowLength
// elements. Block b owns output rows [tile·tileRows, +tileRows) (tile = b / stripes) and columns
// stripe·blockDim.x + threadIdx.x (stripe = b % stripes). It streams the indices through shared memory in
// chunks of blockDim.x; each thread adds the matching updates of its column into one register per tile row, in
// index order, so the sum is deterministic without atomics. Block 0 also reports the first bad index (the
// lowest position: chunks go in order and a chunk's minimum is taken); bad indices match no row.
// blockDim.x is a power of two in [32, PF_OPS_BLOCK]; tileRows <= PF_SCATTER_TILE_ROWS.
extern "C" __global__ void pf_scatter_add(void* y, int dtype, const int* indices, const void* updates,
                                          int* status, int indexCount, int rows, int rowLength, int tileRows, int stripes, int tag) {
    __shared__ int chunkIndices[PF_OPS_BLOCK];
    __shared__ int firstBad;
    long long blocks = ((long long)rows + tileRows - 1) / tileRows * stripes;
    bool reporter = blockIdx.x == 0;
    bool reported = false;
    for (long long b = blockIdx.x; b < blocks; b += gridDim.x) {
        int tileStart = (int)(b / stripes) * tileRows;
        int column = (int)(b % stripes) * (int)blockDim.x + (int)threadIdx.x;
        bool active = column < rowLength;
        float acc[PF_SCATTER_TILE_ROWS];
#pragma unroll
        for (int k = 0; k < PF_SCATTER_TILE_ROWS; k++) acc[k] = 0.0f;
        for (int start = 0; start < indexCount; start += (int)blockDim.x) {
            int chunk = indexCount - start < (int)blockDim.x ? indexCount - start : (int)blockDim.x;
            bool checking = reporter && !reported; // uniform within the block
            __syncthreads(); // the previous chunk's readers are done with chunkIndices and firstBad
            if (checking) {
                if (threadIdx.x == 0) firstBad = 0x7fffffff;
                __syncthreads(); // the reset is seen before any atomicMin
            }
            if ((int)threadIdx.x < chunk) {
                int index = indices[start + (int)threadIdx.x];
                chunkIndices[threadIdx.x] = index;
                if (checking && (index < 0 || index >= rows)) atomicMin(&firstBad, start + (int)threadIdx.x);
            }
            __syncthreads();
            if (checking && firstBad != 0x7fffffff) {
                // Every thread of block 0 sees the same firstBad, so `reported` stays uniform.
                if (threadIdx.x == 0) pf_report_at(status, tag, chunkIndices[firstBad - start], rows, firstBad);
                reported = true;
            }
            if (active) {
                for (int q = 0; q < chunk; q++) {
                    // Negative indices wrap to huge values: no match. Indices >= rows may match a row past the
                    // last one in the last tile; that register is never stored.
                    unsigned int row = (unsigned int)chunkIndices[q] - (unsigned int)tileStart;
                    if (row < (unsigned int)tileRows) {
                        float v = pf_load(updates, (long long)(start + q) * rowLength + column, dtype);
#pragma unroll
                        for (int k = 0; k < PF_SCATTER_TILE_ROWS; k++)
                            if (row == (unsigned int)k) acc[k] += v;
                    }
                }
            }
        }
        if (active) {
#pragma unroll
            for (int k = 0; k < PF_SCATTER_TILE_ROWS; k++)
                if (k < tileRows && tileStart + k < rows) pf_store(y, (long long)(tileStart + k) * rowLength + column, dtype, acc[k]);
        }
        reporter = false; // block 0's first tile has checked every index
    }
}
