#version 450
// reduce_sum / reduce_mean / reduce_max over any set of axes. Output element o is a coordinate over the kept
// (collapsed) dimensions; the reduced elements of o are a coordinate over the reduced (collapsed) dimensions,
// each with its input stride. Three walks (PER_GROUP), each in a fixed order, so results are deterministic:
//  0: one invocation per output walking its reduced elements in order (short reductions; strided ones with
//     many outputs).
//  1: one workgroup per (output, split): invocations stride over the split's range of reduced elements and
//     combine them with a fixed tree in shared memory (the workgroup size is a power of two). With splits > 1
//     (long rows, few outputs: so every compute unit gets work) the workgroups write partials y[o * splits + s]
//     to scratch, and a second dispatch of this shader (walk 0) reduces each output's partials in order; the
//     lowering passes KIND sum (for mean) and no rounding to the first one.
//  2: column tiles, for long reductions over an outer axis whose outputs are adjacent in memory: a workgroup
//     covers COLUMNS neighbouring outputs with GROUP_SIZE / COLUMNS slices of the reduced range each (a warp
//     reads COLUMNS neighbouring words), then combines the slices by a fixed tree in shared memory.
// KIND: 0 sum, 1 mean, 2 max (NaN propagates). ROUND rounds results to f16/bf16.
#extension GL_GOOGLE_include_directive : require
#include "common_math.glsl"

layout(constant_id = 1) const uint KIND = 0u;
layout(constant_id = 2) const uint ROUND = 0u;
layout(constant_id = 3) const uint PER_GROUP = 1u;

const uint MAX_RANK = 6u;
const uint SUM = 0u, MEAN = 1u, MAX = 2u;
const uint PER_INVOCATION = 0u, COLUMN_TILES = 2u;
const uint COLUMNS = 32u;

layout(set = 0, binding = 0) writeonly buffer Out { uint y[]; };
layout(set = 0, binding = 1) readonly buffer In { uint x[]; };

layout(push_constant) uniform Push
{
    uint outputs;
    uint reduced;       // elements per output
    uint keptRank;
    uint reducedRank;
    float divisor;      // the reduced element count, for mean
    uint splits;        // workgroups per output (PER_GROUP only)
    uint chunk;         // reduced elements per split
    uint keptDims[MAX_RANK];
    uint keptStride[MAX_RANK];
    uint reducedDims[MAX_RANK];
    uint reducedStride[MAX_RANK];
} pc;

shared float partial[GROUP_SIZE];

uint keptOffset(uint o)
{
    uint offset = 0u;
    for (int d = int(pc.keptRank) - 1; d >= 0; d--)
    {
        offset += (o % pc.keptDims[d]) * pc.keptStride[d];
        o /= pc.keptDims[d];
    }
    return offset;
}

uint reducedOffset(uint r)
{
    uint offset = 0u;
    for (int d = int(pc.reducedRank) - 1; d >= 0; d--)
    {
        offset += (r % pc.reducedDims[d]) * pc.reducedStride[d];
        r /= pc.reducedDims[d];
    }
    return offset;
}

float combine(float acc, float v) { return KIND == MAX ? maxPropagatingNaN(acc, v) : acc + v; }

float identity() { return KIND == MAX ? -positiveInfinity() : 0.0; }

void store(uint o, float acc) { y[o] = roundFloat(KIND == MEAN ? acc / pc.divisor : acc, ROUND); }

void main()
{
    if (PER_GROUP == COLUMN_TILES)
    {
        uint t = gl_LocalInvocationID.x, column = t % COLUMNS, slice = t / COLUMNS, slices = GROUP_SIZE / COLUMNS;
        uint o = linearGroup() * COLUMNS + column;
        float acc = identity();
        if (o < pc.outputs)
        {
            uint base = keptOffset(o);
            for (uint r = slice; r < pc.reduced; r += slices) acc = combine(acc, uintBitsToFloat(x[base + reducedOffset(r)]));
        }
        partial[t] = acc;
        barrier();
        for (uint width = slices / 2u; width > 0u; width /= 2u)
        {
            if (slice < width) partial[t] = combine(partial[t], partial[t + width * COLUMNS]);
            barrier();
        }
        if (slice == 0u && o < pc.outputs) store(o, partial[t]);
        return;
    }
    if (PER_GROUP == PER_INVOCATION)
    {
        uint o = linearInvocation();
        if (o >= pc.outputs) return;
        uint base = keptOffset(o);
        float acc = identity();
        for (uint r = 0u; r < pc.reduced; r++) acc = combine(acc, uintBitsToFloat(x[base + reducedOffset(r)]));
        store(o, acc);
        return;
    }
    uint g = linearGroup();
    if (g >= pc.outputs * pc.splits) return; // uniform across the workgroup
    uint t = gl_LocalInvocationID.x;
    uint base = keptOffset(g / pc.splits);
    uint first = (g % pc.splits) * pc.chunk;
    uint end = min(first + pc.chunk, pc.reduced);
    float acc = identity();
    for (uint r = first + t; r < end; r += GROUP_SIZE) acc = combine(acc, uintBitsToFloat(x[base + reducedOffset(r)]));
    partial[t] = acc;
    barrier();
    for (uint width = GROUP_SIZE / 2u; width > 0u; width /= 2u)
    {
        if (t < width) partial[t] = combine(partial[t], partial[t + width]);
        barrier();
    }
    if (t == 0u) store(g, partial[0]);
}
