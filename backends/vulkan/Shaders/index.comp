#version 450
// Index ops. MODE 0 gather: one invocation per output element, y[i, j] = table[indices[i], j]; an index
// outside [0, limit) is reported through the status buffer (tag, index, limit, position) and gives 0.
// MODE 1 one_hot: one invocation per output element, y[i, c] = (indices[i] == c) ? one : 0 (`one` holds the
// bits of 1 in the output dtype; out-of-range indices give a row of zeros).
// MODE 2 scatter_add: one workgroup per (tile of TILE_ROWS output rows, stripe of GROUP_SIZE columns). The
// workgroup streams the indices through shared memory in chunks; each invocation owns one column and keeps the
// tile's TILE_ROWS sums of that column in shared memory (no other invocation touches them), adding the matching
// update rows in index order: the reference's summation order, deterministic, no atomics, and each index read
// once per tile instead of once per row. Invocation 0 of group 0 reports the first bad index.
// Bindings: 0 y, 1 indices, 2 table / updates (one_hot binds the indices again), 3 status.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(constant_id = 1) const uint MODE = 0u;
layout(constant_id = 2) const uint ROUND = 0u;
layout(constant_id = 3) const uint TILE_ROWS = 1u;

const uint GATHER = 0u, ONE_HOT = 1u, SCATTER_ADD = 2u;

layout(set = 0, binding = 0) writeonly buffer Out { uint y[]; };
layout(set = 0, binding = 1) readonly buffer Indices { int indices[]; };
layout(set = 0, binding = 2) readonly buffer Source { uint source[]; };
layout(set = 0, binding = 3) buffer Status { uint status[4]; };

layout(push_constant) uniform Push
{
    uint count;      // gather, one_hot: output elements; scatter_add: workgroups (row tiles x stripes)
    uint rowLength;  // elements per row (one_hot: depth)
    uint limit;      // rows an index may address (scatter_add: the output rows)
    uint indexCount;
    uint stripes;    // scatter_add: column stripes per output row
    uint one;        // one_hot: the bits of 1
    uint tag;        // node index + 1
} pc;

void report(int index, uint position)
{
    if (atomicCompSwap(status[0], 0u, pc.tag) == 0u)
    {
        status[1] = uint(index);
        status[2] = pc.limit;
        status[3] = position;
    }
}

shared int chunk[GROUP_SIZE];
shared float sums[TILE_ROWS * GROUP_SIZE];

void scatterAdd()
{
    uint g = linearGroup();
    if (g >= pc.count) return; // uniform across the workgroup
    uint t = gl_LocalInvocationID.x;
    if (g == 0u && t == 0u)
        for (uint i = 0u; i < pc.indexCount; i++)
            if (indices[i] < 0 || uint(indices[i]) >= pc.limit)
            {
                report(indices[i], i);
                break;
            }
    uint firstRow = (g / pc.stripes) * TILE_ROWS;
    uint column = (g % pc.stripes) * GROUP_SIZE + t;
    bool owned = column < pc.rowLength;
    for (uint r = 0u; r < TILE_ROWS; r++) sums[r * GROUP_SIZE + t] = 0.0;
    for (uint start = 0u; start < pc.indexCount; start += GROUP_SIZE)
    {
        barrier(); // every invocation is done with the previous chunk
        chunk[t] = start + t < pc.indexCount ? indices[start + t] : -1;
        barrier();
        if (!owned) continue;
        uint n = min(GROUP_SIZE, pc.indexCount - start);
        for (uint k = 0u; k < n; k++)
        {
            int local = chunk[k] - int(firstRow);
            if (local >= 0 && local < int(TILE_ROWS))
                sums[uint(local) * GROUP_SIZE + t] += uintBitsToFloat(source[(start + k) * pc.rowLength + column]);
        }
    }
    if (!owned) return;
    for (uint r = 0u; r < TILE_ROWS && firstRow + r < pc.limit; r++)
        y[(firstRow + r) * pc.rowLength + column] = roundFloat(sums[r * GROUP_SIZE + t], ROUND);
}

void main()
{
    if (MODE == SCATTER_ADD)
    {
        scatterAdd();
        return;
    }
    uint e = linearInvocation();
    if (e >= pc.count) return;
    uint i = e / pc.rowLength, j = e % pc.rowLength;
    int index = indices[i];
    if (MODE == ONE_HOT)
    {
        y[e] = index == int(j) ? pc.one : 0u;
        return;
    }
    if (index < 0 || uint(index) >= pc.limit)
    {
        if (j == 0u) report(index, i);
        y[e] = 0u;
        return;
    }
    y[e] = source[uint(index) * pc.rowLength + j];
}
