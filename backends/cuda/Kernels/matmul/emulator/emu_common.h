// Emulation stand-in for Kernels/common.cuh (software conversions instead of PTX cvt).
#pragma once
#include "emu_rt.h"
typedef unsigned short pf_half;
typedef unsigned short pf_bf16;
inline float pf_half_to_float(pf_half h) {
    unsigned s = (h >> 15) & 1, e = (h >> 10) & 31, m = h & 1023;
    float v;
    if (e == 0) v = std::ldexp((float)m, -24);
    else if (e == 31) v = m ? NAN : INFINITY;
    else v = std::ldexp((float)(m | 1024), (int)e - 25);
    return s ? -v : v;
}
inline pf_half pf_float_to_half(float f) {
    // Round to nearest even via double arithmetic on the exact value (test-grade).
    if (std::isnan(f)) return 0x7e00;
    unsigned s = std::signbit(f) ? 0x8000 : 0;
    double a = std::fabs((double)f);
    if (a >= 65520.0) return s | 0x7c00;
    if (a < std::ldexp(1.0, -14)) { double q = std::nearbyint(a * std::ldexp(1.0, 24)); return s | (unsigned)q; }
    int e; std::frexp(a, &e);   // a = m·2^e, m in [0.5, 1)
    double q = std::nearbyint(a * std::ldexp(1.0, 11 - e));   // 11 significant bits
    if (q >= 2048) { q /= 2; e += 1; }
    unsigned exp = (unsigned)(e - 1 + 15), man = (unsigned)q - 1024;
    if (exp >= 31) return s | 0x7c00;
    return s | (exp << 10) | man;
}
inline float pf_bf16_to_float(pf_bf16 h) { return __uint_as_float(((unsigned)h) << 16); }
inline pf_bf16 pf_float_to_bf16(float f) {
    unsigned u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (pf_bf16)((u >> 16) | 0x0040u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (pf_bf16)(u >> 16);
}
inline void pf_report(int* status, int tag, int bad, int limit) { if (!status[0]) { status[0] = tag; status[1] = bad; status[2] = limit; } }
