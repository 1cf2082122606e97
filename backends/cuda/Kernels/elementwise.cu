// Elementwise ops over a contiguous output, one grid-stride thread per element: unary and binary functions,
// where, cast and fill. Operands of binary ops and where are read through a broadcast view (table: collapsed
// output dims, then each operand's element strides, 0 where it repeats). Arithmetic is f32; f16/bf16 results
// are rounded to nearest even on store, as the CPU backend rounds them. Function and dtype codes are arguments:
// keep them in sync with Lowering/ElementwiseLowering.cs and Lowering/OpKernels.cs.
#include "ops.cuh"

#define PF_NEG 0
#define PF_EXP 1
#define PF_LOG 2
#define PF_TANH 3
#define PF_SIGMOID 4
#define PF_RELU 5
#define PF_GELU 6
#define PF_RSQRT 7
#define PF_SQRT 8

#define PF_ADD 10
#define PF_SUB 11
#define PF_MUL 12
#define PF_DIV 13
#define PF_MAXIMUM 14
#define PF_MINIMUM 15
#define PF_GREATER 16
#define PF_EQUAL 17
#define PF_GELU_GRAD 18

// The GELU tanh approximation, as the reference backend defines it (not the erf form).
#define PF_SQRT_2_OVER_PI 0.7978845608028654f
#define PF_GELU_CUBIC 0.044715f

__device__ __forceinline__ float pf_gelu(float x) {
    return 0.5f * x * (1.0f + tanhf(PF_SQRT_2_OVER_PI * (x + PF_GELU_CUBIC * x * x * x)));
}

// dy * gelu'(x): 0.5(1 + t) + 0.5x(1 - t^2)·sqrt(2/pi)·(1 + 3·0.044715·x^2), the reference's exact derivative.
__device__ __forceinline__ float pf_gelu_grad(float x, float dy) {
    float t = tanhf(PF_SQRT_2_OVER_PI * (x + PF_GELU_CUBIC * x * x * x));
    float du = PF_SQRT_2_OVER_PI * (1.0f + 3.0f * PF_GELU_CUBIC * x * x);
    return dy * (0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du);
}

// Accurate library functions (no fast math): expf/logf/tanhf/sqrtf follow IEEE for NaN, infinities, log(0) = -inf
// and log/sqrt of negatives = NaN, like .NET's Math. rsqrt is 1/sqrt (two correctly rounded steps), not rsqrtf.
__device__ __forceinline__ float pf_unary_fn(int f, float x) {
    switch (f) {
    case PF_NEG: return -x;
    case PF_EXP: return expf(x);
    case PF_LOG: return logf(x);
    case PF_TANH: return tanhf(x);
    case PF_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case PF_RELU: return pf_isnan(x) ? x : (x > 0.0f ? x : 0.0f);
    case PF_GELU: return pf_gelu(x);
    case PF_RSQRT: return 1.0f / sqrtf(x);
    default: return sqrtf(x);
    }
}

__device__ __forceinline__ float pf_binary_fn(int f, float u, float v) {
    switch (f) {
    case PF_ADD: return u + v;
    case PF_SUB: return u - v;
    case PF_MUL: return u * v;
    case PF_DIV: return u / v;
    case PF_MAXIMUM: return pf_max(u, v);
    case PF_MINIMUM: return pf_min(u, v);
    case PF_GREATER: return u > v ? 1.0f : 0.0f;
    case PF_EQUAL: return u == v ? 1.0f : 0.0f;
    default: return pf_gelu_grad(u, v);
    }
}

// y = f(x), same shape (unary ops never broadcast).
extern "C" __global__ void pf_unary(void* y, const void* x, int dtype, int func, long long count) {
    for (long long i = pf_first_item(); i < count; i += pf_item_stride())
        pf_store(y, i, dtype, pf_unary_fn(func, pf_load(x, i, dtype)));
}

// y = f(a, b) with NumPy broadcasting through the view (rank collapsed dims; strides of a, then of b).
extern "C" __global__ void pf_binary(void* y, const void* a, const void* b, int dtype, int func,
                                     long long count, int rank, const int* __restrict__ view) {
    for (long long i = pf_first_item(); i < count; i += pf_item_stride()) {
        unsigned int off[2];
        pf_view_offsets<2>(view, rank, (unsigned int)i, off);
        pf_store(y, i, dtype, pf_binary_fn(func, pf_load(a, off[0], dtype), pf_load(b, off[1], dtype)));
    }
}

// True when the condition element is non-zero: -0.0 is false, NaN true (the reference's cond != 0).
__device__ __forceinline__ bool pf_condition(const void* cond, long long i, int dtype) {
    switch (dtype) {
    case PF_F16:
    case PF_BF16: return (((const unsigned short*)cond)[i] & 0x7fffu) != 0u;
    case PF_I32: return ((const int*)cond)[i] != 0;
    default: return (((const unsigned int*)cond)[i] & 0x7fffffffu) != 0u;
    }
}

// y = cond ? a : b, all three broadcast (view strides: cond, a, b). Values are selected, not computed: bits move.
extern "C" __global__ void pf_where(void* y, const void* cond, const void* a, const void* b,
                                    int condDtype, int elementSize, long long count, int rank, const int* __restrict__ view) {
    for (long long i = pf_first_item(); i < count; i += pf_item_stride()) {
        unsigned int off[3];
        pf_view_offsets<3>(view, rank, (unsigned int)i, off);
        unsigned int bits = pf_condition(cond, off[0], condDtype) ? pf_load_bits(a, off[1], elementSize) : pf_load_bits(b, off[2], elementSize);
        pf_store_bits(y, i, elementSize, bits);
    }
}

// y = cast(x): float -> float rounds to nearest even (through f32, exact for every f16/bf16 value), float -> i32
// truncates toward zero (NaN 0, saturating), i32 -> float rounds to f32 then to the target, like the reference.
extern "C" __global__ void pf_cast(void* y, const void* x, int from, int to, long long count) {
    for (long long i = pf_first_item(); i < count; i += pf_item_stride()) {
        if (from == to) {
            int size = (from == PF_F16 || from == PF_BF16) ? 2 : 4;
            pf_store_bits(y, i, size, pf_load_bits(x, i, size));
        } else if (from == PF_I32) {
            pf_store(y, i, to, (float)((const int*)x)[i]);
        } else {
            pf_store(y, i, to, pf_load(x, i, from)); // to i32 goes through pf_float_to_i32
        }
    }
}

// Every element = `bits` (the value already rounded to the dtype on the host; elementSize 2 or 4).
extern "C" __global__ void pf_fill(void* y, int elementSize, int bits, long long count) {
    for (long long i = pf_first_item(); i < count; i += pf_item_stride())
        pf_store_bits(y, i, elementSize, (unsigned int)bits);
}
