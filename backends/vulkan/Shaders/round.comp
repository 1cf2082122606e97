#version 450
// Rounds the first `count` f32 words of a value in place to f16 or bf16 (ROUND, specialization constant 1),
// round to nearest even, exactly as the CPU backend's RoundKernel. One invocation per element.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(constant_id = 1) const uint ROUND = 1u;

layout(set = 0, binding = 0) buffer Values { uint x[]; };

layout(push_constant) uniform Push
{
    uint count;
} pc;

void main()
{
    uint i = linearInvocation();
    if (i < pc.count) x[i] = roundBits(x[i], ROUND);
}
