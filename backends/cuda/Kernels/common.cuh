// Shared device helpers for every Pixelfly CUDA kernel. NVRTC compiles these without any CUDA headers, so
// f16 and bf16 are carried as raw 16-bit patterns (unsigned short) and converted with PTX cvt instructions.
#pragma once

typedef unsigned short pf_half;   // IEEE binary16 bits
typedef unsigned short pf_bf16;   // bfloat16 bits

__device__ __forceinline__ float pf_half_to_float(pf_half h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}

// Round to nearest even, as the CPU backend rounds (HostTensor conversions).
__device__ __forceinline__ pf_half pf_float_to_half(float f) {
    pf_half h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
    return h;
}

__device__ __forceinline__ float pf_bf16_to_float(pf_bf16 h) {
    return __uint_as_float(((unsigned int)h) << 16);
}

// Round to nearest even; NaN stays a (quiet) NaN.
__device__ __forceinline__ pf_bf16 pf_float_to_bf16(float f) {
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (pf_bf16)((u >> 16) | 0x0040u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (pf_bf16)(u >> 16);
}

// Records the first bad-data failure of a run: tag = node index + 1, the offending value and its limit.
__device__ __forceinline__ void pf_report(int* status, int tag, int bad, int limit) {
    if (atomicCAS(status, 0, tag) == 0) {
        status[1] = bad;
        status[2] = limit;
    }
}
