// Deterministic split-K reduction: out[i] = Σ_{s = 0..splits-1} partial[s·count + i], summed in split order in f32
// and rounded once to the output dtype (0 = f32, 1 = f16, 2 = bf16). No atomics, so results are bit-reproducible.
// Grid-stride loop over count elements; any grid size is correct.
#include "matmul_io.cuh"

extern "C" __global__ void __launch_bounds__(256)
pf_splitk_reduce(const float* __restrict__ partial, void* __restrict__ out, long long count, int splits, int outKind) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += stride) {
        float sum = 0.0f;
        for (int s = 0; s < splits; ++s) sum += partial[(long long)s * count + i];
        pf_store_out(out, i, sum, outKind);
    }
}
