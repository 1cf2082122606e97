// CPU emulation runtime for the matmul kernels: each CUDA thread is an OS thread, __syncthreads a CTA barrier,
// warp collectives (ldmatrix, mma, shfl) exchange through per-warp slots between two warp barriers.
#pragma once
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>
struct EmuDim { unsigned x = 0, y = 0, z = 0; };
extern thread_local EmuDim threadIdx, blockIdx;
extern EmuDim blockDim, gridDim;
struct EmuWarp {
    std::barrier<> bar{32};
    unsigned addr[32];
    unsigned a[32][4], b0[32], b1[32];
    float f[32];
};
struct EmuCta {
    std::barrier<> bar;
    std::vector<std::unique_ptr<EmuWarp>> warps;
    unsigned char* smem;
    EmuCta(int threads, unsigned char* s) : bar(threads), smem(s) {
        for (int i = 0; i < threads / 32; ++i) warps.emplace_back(new EmuWarp());
    }
};
extern EmuCta* g_cta;
extern unsigned char* g_smem_base;
inline void __syncthreads() { g_cta->bar.arrive_and_wait(); }
inline float __int_as_float(int i) { float f; memcpy(&f, &i, 4); return f; }
inline float __uint_as_float(unsigned i) { float f; memcpy(&f, &i, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned i; memcpy(&i, &f, 4); return i; }
inline float __shfl_xor_sync(unsigned, float v, int o) {
    EmuWarp& w = *g_cta->warps[threadIdx.x / 32];
    int lane = threadIdx.x % 32;
    w.f[lane] = v;
    w.bar.arrive_and_wait();
    float r = w.f[lane ^ o];
    w.bar.arrive_and_wait();
    return r;
}
#define __device__
#define __global__
#define __forceinline__ inline
#define __restrict__
#define __launch_bounds__(...)
#define __align__(n) alignas(n)
#define __shared__ static
// Runs fn for every thread of every CTA of a 1-D grid, one CTA at a time.
inline void emu_launch(unsigned grid, unsigned block, size_t smemBytes, const std::function<void()>& fn) {
    gridDim = {grid, 1, 1};
    blockDim = {block, 1, 1};
    for (unsigned b = 0; b < grid; ++b) {
        std::unique_ptr<unsigned char[]> smem(smemBytes ? new unsigned char[smemBytes] : nullptr);
        if (smemBytes) memset(smem.get(), 0xCD, smemBytes);   // garbage, like real shared memory
        EmuCta cta(block, smem.get());
        g_cta = &cta;
        g_smem_base = smem.get();
        std::vector<std::thread> ts;
        for (unsigned t = 0; t < block; ++t)
            ts.emplace_back([&, t] { threadIdx = {t, 0, 0}; blockIdx = {b, 0, 0}; fn(); });
        for (auto& t : ts) t.join();
    }
}
