#version 450
// Fills the first `count` words of a buffer with one 32-bit pattern (full, the zeros around pad).
// One invocation per element.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"


layout(set = 0, binding = 0) writeonly buffer Out { uint y[]; };

layout(push_constant) uniform Push
{
    uint count;
    uint bits;
} pc;

void main()
{
    uint i = linearInvocation();
    if (i < pc.count) y[i] = pc.bits;
}
