#version 450
// Import and export of bound f16/bf16 tensors, which the device holds packed two per little-endian word.
// EXPORT = 0 (import): one invocation per element, wide[i] = the f32 bits of packed element i (exact).
// EXPORT = 1: one invocation per packed WORD (no two invocations write one word), each element rounded to
// nearest even; a trailing odd element keeps the upper half of its word as it was.
// BF16 (specialization constant 2) picks bf16 over f16.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(constant_id = 1) const uint EXPORT = 0u;
layout(constant_id = 2) const uint BF16 = 0u;

layout(set = 0, binding = 0) buffer Packed { uint packed[]; };
layout(set = 0, binding = 1) buffer Wide { uint wide[]; };

layout(push_constant) uniform Push
{
    uint count; // elements
} pc;

uint narrow(uint bits) { return BF16 != 0u ? f32BitsToBF16Bits(bits) : f32BitsToF16Bits(bits); }

uint widen(uint half16) { return BF16 != 0u ? half16 << 16 : f16BitsToF32Bits(half16); }

void main()
{
    uint i = linearInvocation();
    if (EXPORT == 0u)
    {
        if (i >= pc.count) return;
        uint word = packed[i >> 1];
        wide[i] = widen((i & 1u) != 0u ? word >> 16 : word & 0xFFFFu);
    }
    else
    {
        uint first = 2u * i;
        if (first >= pc.count) return;
        uint low = narrow(wide[first]);
        uint high = first + 1u < pc.count ? narrow(wide[first + 1u]) : packed[i] >> 16;
        packed[i] = low | (high << 16);
    }
}
