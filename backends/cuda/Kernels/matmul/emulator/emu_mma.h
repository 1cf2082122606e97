// Emulation stand-in for Kernels/matmul/mma.cuh: cp.async groups deferred until wait_group, ldmatrix and mma as
// warp collectives with the PTX ISA's fragment layouts.
#pragma once
#include "common.cuh"   // emu_common.h, copied in under the kernels' name
#include <deque>
inline unsigned pf_smem_addr(const void* p) { return (unsigned)((const unsigned char*)p - g_smem_base); }
struct EmuCopy { unsigned dst; const void* src; int bytes; };
extern thread_local std::vector<EmuCopy> t_pending;
extern thread_local std::deque<std::vector<EmuCopy>> t_groups;
inline void pf_cp_async16(unsigned dst, const void* src, int src_bytes) {
    if (dst % 16 || ((uintptr_t)src) % 16) { fprintf(stderr, "cp.async misaligned dst %u src %p\n", dst, src); abort(); }
    t_pending.push_back({dst, src, src_bytes});
}
inline void pf_cp_async_commit() { t_groups.push_back(std::move(t_pending)); t_pending.clear(); }
template <int N> inline void pf_cp_async_wait() {
    while ((int)t_groups.size() > N) {
        for (auto& c : t_groups.front()) {
            if (c.bytes) memcpy(g_smem_base + c.dst, c.src, 16);
            else memset(g_smem_base + c.dst, 0, 16);
        }
        t_groups.pop_front();
    }
}
inline unsigned short emu_h(unsigned addr, int i) { unsigned short v; memcpy(&v, g_smem_base + addr + 2 * i, 2); return v; }
inline void emu_ldmatrix(unsigned (&r)[4], unsigned addr, bool trans) {
    EmuWarp& w = *g_cta->warps[threadIdx.x / 32];
    int lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
    if (addr % 16) { fprintf(stderr, "ldmatrix row address %u not 16-byte aligned\n", addr); abort(); }
    w.addr[lane] = addr;
    w.bar.arrive_and_wait();
    for (int j = 0; j < 4; ++j) {
        unsigned lo, hi;
        if (!trans) { lo = emu_h(w.addr[j * 8 + g], 2 * t); hi = emu_h(w.addr[j * 8 + g], 2 * t + 1); }
        else { lo = emu_h(w.addr[j * 8 + 2 * t], g); hi = emu_h(w.addr[j * 8 + 2 * t + 1], g); }
        r[j] = lo | (hi << 16);
    }
    w.bar.arrive_and_wait();
}
inline void pf_ldmatrix_x4(unsigned (&r)[4], unsigned addr) { emu_ldmatrix(r, addr, false); }
inline void pf_ldmatrix_x4_trans(unsigned (&r)[4], unsigned addr) { emu_ldmatrix(r, addr, true); }
template <bool IsBf16> inline float emu_f(unsigned short v) { return IsBf16 ? pf_bf16_to_float(v) : pf_half_to_float(v); }
template <bool IsBf16>
inline void pf_mma_16816(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
    EmuWarp& w = *g_cta->warps[threadIdx.x / 32];
    int lane = threadIdx.x % 32;
    for (int i = 0; i < 4; ++i) w.a[lane][i] = a[i];
    w.b0[lane] = b0; w.b1[lane] = b1;
    w.bar.arrive_and_wait();
    float A[16][16], B[16][8];
    for (int l = 0; l < 32; ++l) {
        int g = l / 4, t = l % 4;
        auto lo = [](unsigned v) { return (unsigned short)(v & 0xffff); };
        auto hi = [](unsigned v) { return (unsigned short)(v >> 16); };
        A[g][2 * t] = emu_f<IsBf16>(lo(w.a[l][0])); A[g][2 * t + 1] = emu_f<IsBf16>(hi(w.a[l][0]));
        A[g + 8][2 * t] = emu_f<IsBf16>(lo(w.a[l][1])); A[g + 8][2 * t + 1] = emu_f<IsBf16>(hi(w.a[l][1]));
        A[g][2 * t + 8] = emu_f<IsBf16>(lo(w.a[l][2])); A[g][2 * t + 9] = emu_f<IsBf16>(hi(w.a[l][2]));
        A[g + 8][2 * t + 8] = emu_f<IsBf16>(lo(w.a[l][3])); A[g + 8][2 * t + 9] = emu_f<IsBf16>(hi(w.a[l][3]));
        B[2 * t][g] = emu_f<IsBf16>(lo(w.b0[l])); B[2 * t + 1][g] = emu_f<IsBf16>(hi(w.b0[l]));
        B[2 * t + 8][g] = emu_f<IsBf16>(lo(w.b1[l])); B[2 * t + 9][g] = emu_f<IsBf16>(hi(w.b1[l]));
    }
    w.bar.arrive_and_wait();
    int g = lane / 4, t = lane % 4;
    for (int e = 0; e < 4; ++e) {
        int r = g + (e >> 1) * 8, c = 2 * t + (e & 1);
        float s = d[e];
        for (int k = 0; k < 16; ++k) s += A[r][k] * B[k][c];
        d[e] = s;
    }
}
inline unsigned pf_to_tf32(float f) {
    unsigned u = __float_as_uint(f);
    if ((u & 0x7f800000u) != 0x7f800000u) u += 0x1000u;   // round half away from zero at bit 13
    return u & 0xffffe000u;
}
inline void pf_mma_1688_tf32(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
    EmuWarp& w = *g_cta->warps[threadIdx.x / 32];
    int lane = threadIdx.x % 32;
    for (int i = 0; i < 4; ++i) w.a[lane][i] = a[i];
    w.b0[lane] = b0; w.b1[lane] = b1;
    w.bar.arrive_and_wait();
    float A[16][8], B[8][8];
    for (int l = 0; l < 32; ++l) {
        int g = l / 4, t = l % 4;
        A[g][t] = __uint_as_float(w.a[l][0]); A[g + 8][t] = __uint_as_float(w.a[l][1]);
        A[g][t + 4] = __uint_as_float(w.a[l][2]); A[g + 8][t + 4] = __uint_as_float(w.a[l][3]);
        B[t][g] = __uint_as_float(w.b0[l]); B[t + 4][g] = __uint_as_float(w.b1[l]);
    }
    w.bar.arrive_and_wait();
    int g = lane / 4, t = lane % 4;
    for (int e = 0; e < 4; ++e) {
        int r = g + (e >> 1) * 8, c = 2 * t + (e & 1);
        float s = d[e];
        for (int k = 0; k < 8; ++k) s += A[r][k] * B[k][c];
        d[e] = s;
    }
}
