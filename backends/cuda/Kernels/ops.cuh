// Helpers of the plain (non-tensor-core) op kernels: dtype codes and element access by a run-time dtype, strided
// views read from a table, the reference backend's float semantics (NaN-propagating max/min, f32 -> i32 casts),
// deterministic block reductions and the status report with a position.
//
// The dtype of most operands is a kernel argument rather than a -D define: these kernels are memory bound, the
// switch is uniform across the grid (no divergence), and one compilation unit per source keeps CI's NVRTC pass short.
#pragma once
#include "common.cuh"

// Dtype codes: keep in sync with Lowering/OpKernels.cs (OpKernels.DTypeCode).
#define PF_F32 0
#define PF_F16 1
#define PF_BF16 2
#define PF_I32 3

// Value pointers carry no __restrict__: the runtime may put an output on the buffer of an input of the same type and
// shape (donation, in-place elementwise ops, adamw); the elementwise, row and adamw kernels read each such element
// before the thread that owns it writes it, so that is safe. (Strided copies, reductions, index ops and casts that
// change the element size are not in-place safe.) Only the view tables are restrict: they are never written.

// Threads per block of every op kernel; the tree reductions' shared arrays have this many slots.
#define PF_OPS_BLOCK 256

__device__ __forceinline__ bool pf_isnan(float x) { return (__float_as_uint(x) & 0x7fffffffu) > 0x7f800000u; }

__device__ __forceinline__ bool pf_isinf(float x) { return (__float_as_uint(x) & 0x7fffffffu) == 0x7f800000u; }

__device__ __forceinline__ float pf_quiet_nan() { return __uint_as_float(0x7fc00000u); }

__device__ __forceinline__ float pf_infinity() { return __uint_as_float(0x7f800000u); }

// Float -> i32 as the reference casts: truncation toward zero, NaN -> 0, out-of-range values saturate.
__device__ __forceinline__ int pf_float_to_i32(float x) {
    if (pf_isnan(x)) return 0;
    if (x >= 2147483648.0f) return 2147483647;
    if (x <= -2147483648.0f) return (-2147483647 - 1);
    return (int)x; // C++ float -> int truncates (cvt.rzi)
}

// Element i of a tensor of dtype `dt`, as f32 (f16/bf16 exactly; i32 rounded to nearest even, as (float)int does).
__device__ __forceinline__ float pf_load(const void* p, long long i, int dt) {
    switch (dt) {
    case PF_F16: return pf_half_to_float(((const unsigned short*)p)[i]);
    case PF_BF16: return pf_bf16_to_float(((const unsigned short*)p)[i]);
    case PF_I32: return (float)((const int*)p)[i];
    default: return ((const float*)p)[i];
    }
}

// Stores v as element i of a tensor of dtype `dt`, rounding to nearest even (f16/bf16) or as a cast to i32.
__device__ __forceinline__ void pf_store(void* p, long long i, int dt, float v) {
    switch (dt) {
    case PF_F16: ((unsigned short*)p)[i] = pf_float_to_half(v); break;
    case PF_BF16: ((unsigned short*)p)[i] = pf_float_to_bf16(v); break;
    case PF_I32: ((int*)p)[i] = pf_float_to_i32(v); break;
    default: ((float*)p)[i] = v; break;
    }
}

// Raw element bits (elementSize 2 or 4 bytes), for ops that move values without arithmetic.
__device__ __forceinline__ unsigned int pf_load_bits(const void* p, long long i, int elementSize) {
    return elementSize == 2 ? (unsigned int)((const unsigned short*)p)[i] : ((const unsigned int*)p)[i];
}

__device__ __forceinline__ void pf_store_bits(void* p, long long i, int elementSize, unsigned int bits) {
    if (elementSize == 2) ((unsigned short*)p)[i] = (unsigned short)bits;
    else ((unsigned int*)p)[i] = bits;
}

// max/min as .NET's Math.Max/Math.Min (the reference): NaN if either is NaN; +0 is above -0.
__device__ __forceinline__ float pf_max(float a, float b) {
    if (pf_isnan(a) || pf_isnan(b)) return pf_quiet_nan();
    if (a == b) return (__float_as_uint(a) & 0x80000000u) ? b : a;
    return a > b ? a : b;
}

__device__ __forceinline__ float pf_min(float a, float b) {
    if (pf_isnan(a) || pf_isnan(b)) return pf_quiet_nan();
    if (a == b) return (__float_as_uint(a) & 0x80000000u) ? a : b;
    return a < b ? a : b;
}

// Offsets of the element with row-major linear index `i` of a strided view, for NOPS operands. The table holds
// dims[rank], then each operand's element strides[rank] (0 where the operand repeats). Every offset lies inside a
// tensor of fewer than 2^31 elements, so 32-bit unsigned arithmetic is exact (and much cheaper than 64-bit div).
template <int NOPS>
__device__ __forceinline__ void pf_view_offsets(const int* __restrict__ table, int rank, unsigned int i, unsigned int* offsets) {
#pragma unroll
    for (int k = 0; k < NOPS; k++) offsets[k] = 0u;
    // Innermost first; what is left of i at the outermost dim is its coordinate (i < the product of the dims), so a
    // rank-1 view (the common contiguous case) needs no division at all.
    for (int d = rank - 1; d >= 0; d--) {
        unsigned int coord = i;
        if (d > 0) {
            unsigned int n = (unsigned int)table[d];
            coord = i % n;
            i /= n;
        }
#pragma unroll
        for (int k = 0; k < NOPS; k++) offsets[k] += coord * (unsigned int)table[(k + 1) * rank + d];
    }
}

// Combines one value per thread of a PF_OPS_BLOCK-thread block with a fixed binary tree in shared memory (so the
// order, and the result, is the same on every run); every thread gets the result. Call from uniform control flow.
__device__ __forceinline__ float pf_block_combine(float v, bool take_max, float* partial) {
    unsigned int t = threadIdx.x;
    partial[t] = v;
    __syncthreads();
    for (unsigned int width = PF_OPS_BLOCK / 2; width > 0; width >>= 1) {
        if (t < width) partial[t] = take_max ? pf_max(partial[t], partial[t + width]) : partial[t] + partial[t + width];
        __syncthreads();
    }
    float result = partial[0];
    __syncthreads(); // partial is reused by the next combine
    return result;
}

// pf_report plus the position of the bad value in its tensor (status word 3), as the Vulkan shaders report it.
__device__ __forceinline__ void pf_report_at(int* status, int tag, int bad, int limit, int position) {
    if (atomicCAS(status, 0, tag) == 0) {
        status[1] = bad;
        status[2] = limit;
        status[3] = position;
    }
}

// The first grid-stride item of this thread, and the stride, in 64 bits (counts reach 2^31 - 1).
__device__ __forceinline__ long long pf_first_item() { return (long long)blockIdx.x * blockDim.x + threadIdx.x; }

__device__ __forceinline__ long long pf_item_stride() { return (long long)gridDim.x * blockDim.x; }
