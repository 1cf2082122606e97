#version 450
// Strided copy of 32-bit words: for every coordinate of an iteration space of up to MAX_RANK collapsed
// dimensions, y[outBase + sum(coord * outStride)] = x[inBase + sum(coord * inStride)]. Transpose, slice,
// broadcast_to, reshape copies, the interior of pad, each input of concat and plain buffer copies are all
// this one pattern (Lowering/ShapeLowering.cs builds the views). One invocation per element.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"


const uint MAX_RANK = 8u;

layout(set = 0, binding = 0) writeonly buffer Out { uint y[]; };
layout(set = 0, binding = 1) readonly buffer In { uint x[]; };

layout(push_constant) uniform Push
{
    uint count;
    uint rank;
    uint outBase;
    uint inBase;
    uint dims[MAX_RANK];
    uint outStride[MAX_RANK];
    uint inStride[MAX_RANK];
} pc;

void main()
{
    uint i = linearInvocation();
    if (i >= pc.count) return;
    uint io = pc.outBase, ii = pc.inBase, rest = i;
    for (int d = int(pc.rank) - 1; d >= 0; d--)
    {
        uint n = pc.dims[d];
        uint coord = rest % n;
        rest /= n;
        io += coord * pc.outStride[d];
        ii += coord * pc.inStride[d];
    }
    y[io] = x[ii];
}
