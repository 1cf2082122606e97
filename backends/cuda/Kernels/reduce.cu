// reduce_sum, reduce_mean and reduce_max in f32, every sum and maximum combined in a fixed order (no atomics),
// so results are the same on every run.
//
// A work item is one output, or one split of an output's reduced elements when a long reduction is cut into
// `splits` chunks of `chunk` elements (the lowering then runs this kernel twice: raw partials into an f32
// scratch, then each output's partials in order). The view table holds the kept dims, the kept strides, the
// reduced dims, the reduced strides (collapsed; element strides into x).
//   perBlock = 1: a PF_OPS_BLOCK-thread block per item; thread t folds elements t, t + PF_OPS_BLOCK, ... in order and a
//                 fixed tree combines them (long contiguous reductions). Item w is (output w / splits, split w % splits).
//   perBlock = 0: a thread per item walking its elements in order (short or strided reductions). Item w is
//                 (output w % outputs, split w / outputs), so neighbouring threads read neighbouring outputs.
// The partial of item w is stored at element w of y. kind: 0 sum, 1 mean (sum / divisor), 2 max (NaN wins).
#include "ops.cuh"

#define PF_REDUCE_SUM 0
#define PF_REDUCE_MEAN 1
#define PF_REDUCE_MAX 2

__device__ __forceinline__ unsigned int pf_reduce_offset(const int* __restrict__ dims, const int* __restrict__ strides, int rank, unsigned int i) {
    unsigned int offset = 0;
    // As pf_view_offsets: the outermost coordinate is what is left of i, so a rank-1 view divides nothing.
    for (int d = rank - 1; d > 0; d--) {
        unsigned int n = (unsigned int)dims[d];
        offset += (i % n) * (unsigned int)strides[d];
        i /= n;
    }
    if (rank > 0) offset += i * (unsigned int)strides[0];
    return offset;
}

extern "C" __global__ void pf_reduce(void* y, int outDtype, const void* x, int inDtype,
                                     int outputs, int splits, int chunk, int length, int keptRank, int reducedRank,
                                     const int* __restrict__ view, int kind, float divisor, int perBlock) {
    __shared__ float partial[PF_OPS_BLOCK];
    const int* keptDims = view;
    const int* keptStrides = view + keptRank;
    const int* reducedDims = view + 2 * keptRank;
    const int* reducedStrides = view + 2 * keptRank + reducedRank;
    bool takeMax = kind == PF_REDUCE_MAX;
    long long items = (long long)outputs * splits;
    long long first = perBlock ? (long long)blockIdx.x : pf_first_item();
    long long step = perBlock ? (long long)gridDim.x : pf_item_stride();
    // The loop bound is uniform across a block in per-block mode, so the barriers inside stay legal.
    for (long long w = first; w < items; w += step) {
        int output = perBlock ? (int)(w / splits) : (int)(w % outputs);
        int split = perBlock ? (int)(w % splits) : (int)(w / outputs);
        long long begin = (long long)split * chunk;
        long long end = begin + chunk < length ? begin + chunk : length;
        unsigned int base = pf_reduce_offset(keptDims, keptStrides, keptRank, (unsigned int)output);
        float acc = takeMax ? -pf_infinity() : 0.0f;
        long long r = begin + (perBlock ? threadIdx.x : 0);
        int stride = perBlock ? PF_OPS_BLOCK : 1;
        for (; r < end; r += stride) {
            float v = pf_load(x, base + pf_reduce_offset(reducedDims, reducedStrides, reducedRank, (unsigned int)r), inDtype);
            acc = takeMax ? pf_max(acc, v) : acc + v;
        }
        if (perBlock) acc = pf_block_combine(acc, takeMax, partial);
        if (!perBlock || threadIdx.x == 0)
            pf_store(y, w, outDtype, kind == PF_REDUCE_MEAN ? acc / divisor : acc);
    }
}
