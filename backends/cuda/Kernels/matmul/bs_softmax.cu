// Block-sparse row softmax and its gradient over [batch][nnz][b][b] (BlockSparseSoftmaxOp / ...GradOp): element
// row i of block row p is row i of every stored block of that block row (block-CSR order), normalised over exactly
// those elements. One warp per element row, f32 math, result rounded to the tensor's dtype.
//   forward:  y = exp(s·x − max(s·x)) / Σ exp(s·x − max(s·x))
//   gradient: dx = s·y·(dy − Σ dy·y)
// Define: PF_IN (0 = f32, 1 = f16, 2 = bf16); the block size b is an argument (any size works). rowPtr: the
// layout's block-CSR row pointers (blockRows + 1). Grid: ceil(batches·blockRows·b / 8) CTAs of 256 threads (8 warps).
#include "matmul_io.cuh"

namespace {

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// The element row this warp owns: first storage offset of its element in block rowPtr[p] and its length.
struct Row {
    bool valid;
    long long base;   // flat index of element (block rowPtr[p], row i, column 0)
    int count;        // stored elements in the row: blocks·b
};

__device__ __forceinline__ Row warp_row(const int* rowPtr, int b, int blockRows, int nnz, int batches) {
    const long long w = ((long long)blockIdx.x * blockDim.x + threadIdx.x) / 32;
    const long long rows = (long long)batches * blockRows * b;
    Row r{false, 0, 0};
    if (w >= rows) return r;
    const int i = (int)(w % b);
    const long long pb = w / b;
    const int p = (int)(pb % blockRows), batch = (int)(pb / blockRows);
    const int first = rowPtr[p];
    r.valid = true;
    r.count = (rowPtr[p + 1] - first) * b;
    r.base = ((long long)batch * nnz + first) * ((long long)b * b) + (long long)i * b;
    return r;
}

// Flat index of the j-th stored element of the row: block j / b, column j % b.
__device__ __forceinline__ long long element(const Row& r, int b, int j) {
    return r.base + (long long)(j / b) * ((long long)b * b) + j % b;
}

}  // namespace

extern "C" __global__ void __launch_bounds__(256)
pf_bs_softmax(const pf_in_t* __restrict__ x, pf_in_t* __restrict__ y, const int* __restrict__ rowPtr,
              int b, int blockRows, int nnz, int batches, float scale) {
    const Row r = warp_row(rowPtr, b, blockRows, nnz, batches);
    if (!r.valid || r.count == 0) return;   // whole warp leaves together: the row is warp-uniform
    const int lane = (int)threadIdx.x % 32;
    float mx = -__int_as_float(0x7f800000);   // -inf
    for (int j = lane; j < r.count; j += 32) mx = fmaxf(mx, scale * pf_to_float(x[element(r, b, j)]));
    mx = warp_max(mx);
    float sum = 0.0f;
    for (int j = lane; j < r.count; j += 32) sum += expf(scale * pf_to_float(x[element(r, b, j)]) - mx);
    sum = warp_sum(sum);
    for (int j = lane; j < r.count; j += 32) {
        const long long e = element(r, b, j);
        pf_store_in(y, e, expf(scale * pf_to_float(x[e]) - mx) / sum);
    }
}

extern "C" __global__ void __launch_bounds__(256)
pf_bs_softmax_grad(const pf_in_t* __restrict__ y, const pf_in_t* __restrict__ dy, pf_in_t* __restrict__ dx,
                   const int* __restrict__ rowPtr, int b, int blockRows, int nnz, int batches, float scale) {
    const Row r = warp_row(rowPtr, b, blockRows, nnz, batches);
    if (!r.valid || r.count == 0) return;
    const int lane = (int)threadIdx.x % 32;
    float dot = 0.0f;
    for (int j = lane; j < r.count; j += 32) {
        const long long e = element(r, b, j);
        dot += pf_to_float(dy[e]) * pf_to_float(y[e]);
    }
    dot = warp_sum(dot);
    for (int j = lane; j < r.count; j += 32) {
        const long long e = element(r, b, j);
        pf_store_in(dx, e, scale * pf_to_float(y[e]) * (pf_to_float(dy[e]) - dot));
    }
}
