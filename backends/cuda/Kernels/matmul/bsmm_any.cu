// Block-sparse matmul for any block size (the tiled kernels take b = 16, 32, 64): one thread per output element,
// f32 accumulation, straight from the definition (reference BlockSparse.cs) over the same tables and strides as
// bsmm_simt.cu. Correct for every shape; meant for the rare odd block sizes, not for speed.
// Defines: PF_IN (0 = f32, 1 = f16, 2 = bf16), PF_MODE (0 = Sdd, 1 = Dsd, 2 = Dds). Grid-stride loop.
#include "matmul_io.cuh"

#if PF_MODE != 0 && PF_MODE != 1 && PF_MODE != 2
#error "PF_MODE must be 0 (Sdd), 1 (Dsd) or 2 (Dds)"
#endif

extern "C" __global__ void __launch_bounds__(256)
pf_bsmm_any(const pf_in_t* __restrict__ A, const pf_in_t* __restrict__ B, void* __restrict__ out,
            const int* __restrict__ table, int M, int N, int K, long long strideA, long long strideB,
            int sAm, int sAk, int sBk, int sBn, int b, int lines, int batches, int nnz, int outKind) {
    const long long bb = (long long)b * b;
#if PF_MODE == 0
    const long long perBatch = (long long)nnz * bb;
#else
    const long long perBatch = (long long)M * N;
#endif
    const long long total = perBatch * batches;
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; idx < total; idx += stride) {
        const int batch = (int)(idx / perBatch);
        const long long rest = idx % perBatch;
        const pf_in_t* a = A + batch * strideA;
        const pf_in_t* w = B + batch * strideB;
        float sum = 0.0f;
#if PF_MODE == 0
        // out block e = (p, q), element (i, j): Σ_k op(A)[p·b+i][k]·op(B)[k][q·b+j].
        const int e = (int)(rest / bb), i = (int)(rest % bb / b), j = (int)(rest % b);
        const long long row = (long long)table[e] * b + i, col = (long long)table[nnz + e] * b + j;
        for (int k = 0; k < K; ++k)
            sum = fmaf(pf_to_float(a[row * sAm + (long long)k * sAk]), pf_to_float(w[(long long)k * sBk + col * sBn]), sum);
#elif PF_MODE == 1
        // out[m][n] = Σ over blocks (p, q) of op(W) in row p = m / b: Σ_j blk[i][j]·op(B)[q·b+j][n]; A is W here.
        const int m = (int)(rest / N), n = (int)(rest % N), p = m / b, i = m % b;
        for (int t = table[p]; t < table[p + 1]; ++t) {
            const pf_in_t* blk = a + (long long)table[lines + 1 + t] * bb;
            const long long k0 = (long long)table[lines + 1 + nnz + t] * b;
            for (int j = 0; j < b; ++j)
                sum = fmaf(pf_to_float(blk[(long long)i * sAm + (long long)j * sAk]), pf_to_float(w[(k0 + j) * sBk + (long long)n * sBn]), sum);
        }
#else
        // out[m][n] = Σ over blocks (p, q) of op(W) in column q = n / b: Σ_i op(A)[m][p·b+i]·blk[i][j]; B is W here.
        const int m = (int)(rest / N), n = (int)(rest % N), q = n / b, j = n % b;
        for (int t = table[q]; t < table[q + 1]; ++t) {
            const pf_in_t* blk = w + (long long)table[lines + 1 + t] * bb;
            const long long k0 = (long long)table[lines + 1 + nnz + t] * b;
            for (int i = 0; i < b; ++i)
                sum = fmaf(pf_to_float(a[(long long)m * sAm + (k0 + i) * sAk]), pf_to_float(blk[(long long)i * sBk + (long long)j * sBn]), sum);
        }
#endif
        pf_store_out(out, idx, sum, outKind);
    }
}
