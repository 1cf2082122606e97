// Row-wise normalisations in f32: softmax and log_softmax along any axis, layer_norm over the last axis and
// cross_entropy (one loss per row). A row is `length` elements base + k·inner with
// base = (r / inner)·length·inner + r % inner (inner = 1 for layer_norm and cross_entropy).
//   perBlock = 1: a PF_OPS_BLOCK-thread block per row (long contiguous rows); thread t folds k = t, t + PF_OPS_BLOCK, ...
//                 in order and a fixed tree combines the partials.
//   perBlock = 0: a thread per row walking it in order (rows along an outer axis, where neighbouring threads
//                 then read neighbouring elements, or short rows).
// Both orders are fixed, so results are deterministic. aux1 is gamma (layer_norm) or the i32 labels
// (cross_entropy), aux2 beta; modes that need neither get x. A label outside [0, length) is reported through the
// status words (tag, label, length, row) and its loss is NaN. Keep mode codes in sync with Lowering/RowsLowering.cs.
#include "ops.cuh"

#define PF_ROWS_SOFTMAX 0
#define PF_ROWS_LOG_SOFTMAX 1
#define PF_ROWS_LAYER_NORM 2
#define PF_ROWS_CROSS_ENTROPY 3

__device__ __forceinline__ float pf_rows_combine(float v, bool take_max, bool perBlock, float* partial) {
    return perBlock ? pf_block_combine(v, take_max, partial) : v;
}

extern "C" __global__ void pf_rows(void* y, const void* x, const void* aux1, const void* aux2,
                                   int* status, int dtype, int mode, int rows, int length, int inner, float epsilon, int tag, int perBlock) {
    __shared__ float partial[PF_OPS_BLOCK];
    long long first = perBlock ? (long long)blockIdx.x : pf_first_item();
    long long step = perBlock ? (long long)gridDim.x : pf_item_stride();
    int t = perBlock ? (int)threadIdx.x : 0;
    int walk = perBlock ? PF_OPS_BLOCK : 1;
    // In per-block mode r is uniform across the block, so every barrier below is reached by all of its threads.
    for (long long r = first; r < rows; r += step) {
        long long base = (r / inner) * (long long)length * inner + r % inner;
        if (mode == PF_ROWS_LAYER_NORM) {
            float sum = 0.0f;
            for (int k = t; k < length; k += walk) sum += pf_load(x, base + k, dtype);
            float mean = pf_rows_combine(sum, false, perBlock, partial) / (float)length;
            float squares = 0.0f;
            for (int k = t; k < length; k += walk) {
                float d = pf_load(x, base + k, dtype) - mean;
                squares += d * d;
            }
            float variance = pf_rows_combine(squares, false, perBlock, partial) / (float)length;
            float rstd = 1.0f / sqrtf(variance + epsilon);
            for (int k = t; k < length; k += walk) {
                float v = (pf_load(x, base + k, dtype) - mean) * rstd * pf_load(aux1, k, dtype) + pf_load(aux2, k, dtype);
                pf_store(y, base + k, dtype, v);
            }
            continue;
        }

        float m = -pf_infinity();
        for (int k = t; k < length; k += walk) m = pf_max(m, pf_load(x, base + (long long)k * inner, dtype));
        m = pf_rows_combine(m, true, perBlock, partial);
        float s = 0.0f;
        for (int k = t; k < length; k += walk) s += expf(pf_load(x, base + (long long)k * inner, dtype) - m);
        s = pf_rows_combine(s, false, perBlock, partial);

        if (mode == PF_ROWS_CROSS_ENTROPY) {
            if (t != 0) continue;
            int label = ((const int*)aux1)[r];
            if (label < 0 || label >= length) {
                pf_report_at(status, tag, label, length, (int)r);
                pf_store(y, r, dtype, pf_quiet_nan());
                continue;
            }
            pf_store(y, r, dtype, m + logf(s) - pf_load(x, base + label, dtype));
            continue;
        }

        float logSum = logf(s);
        for (int k = t; k < length; k += walk) {
            long long at = base + (long long)k * inner;
            float shifted = pf_load(x, at, dtype) - m;
            pf_store(y, at, dtype, mode == PF_ROWS_LOG_SOFTMAX ? shifted - logSum : expf(shifted) / s);
        }
    }
}
