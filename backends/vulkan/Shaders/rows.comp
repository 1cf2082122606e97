#version 450
// Row-wise normalisations: softmax and log_softmax along any axis (a row is the `rowLength` elements
// base + k*inner, base = (r / inner) * rowLength * inner + r % inner), layer_norm over the last axis, and
// cross_entropy (one loss per row). PER_GROUP = 1: one workgroup per row, row statistics (max, sums) combined by
// a fixed tree in shared memory (long contiguous rows). PER_GROUP = 0: one invocation per row walking it in order
// (rows along an outer axis, where neighbouring invocations then read neighbouring words, or very short rows).
// Both orders are fixed, so results are deterministic. MODE selects the op; ROUND rounds results to f16/bf16.
// Bindings: 0 y, 1 x, 2 gamma (layer_norm) or labels (cross_entropy), 3 beta (layer_norm), 4 status; ops that
// need fewer bind x in their place.
#extension GL_GOOGLE_include_directive : require
#include "common_math.glsl"

layout(constant_id = 1) const uint MODE = 0u;
layout(constant_id = 2) const uint ROUND = 0u;
layout(constant_id = 3) const uint PER_GROUP = 1u;

const uint SOFTMAX = 0u, LOG_SOFTMAX = 1u, LAYER_NORM = 2u, CROSS_ENTROPY = 3u;

layout(set = 0, binding = 0) writeonly buffer Out { uint y[]; };
layout(set = 0, binding = 1) readonly buffer In { uint x[]; };
layout(set = 0, binding = 2) readonly buffer Aux1 { uint gammaOrLabels[]; };
layout(set = 0, binding = 3) readonly buffer Aux2 { uint beta[]; };
layout(set = 0, binding = 4) buffer Status { uint status[4]; };

layout(push_constant) uniform Push
{
    uint rows;
    uint rowLength;
    uint inner;
    float epsilon;
    uint tag;      // node index + 1, reported with a bad label
} pc;

shared float partial[GROUP_SIZE];

// Combines one value per invocation with a fixed tree; every invocation gets the result.
float groupReduce(float v, bool isMax)
{
    if (PER_GROUP == 0u) return v;
    uint t = gl_LocalInvocationID.x;
    partial[t] = v;
    barrier();
    for (uint width = GROUP_SIZE / 2u; width > 0u; width /= 2u)
    {
        if (t < width) partial[t] = isMax ? maxPropagatingNaN(partial[t], partial[t + width]) : partial[t] + partial[t + width];
        barrier();
    }
    float result = partial[0];
    barrier();
    return result;
}

float load(uint index) { return uintBitsToFloat(x[index]); }

void main()
{
    uint r = PER_GROUP != 0u ? linearGroup() : linearInvocation();
    if (r >= pc.rows) return; // per group: uniform across the workgroup
    uint t = PER_GROUP != 0u ? gl_LocalInvocationID.x : 0u, n = pc.rowLength, step = PER_GROUP != 0u ? GROUP_SIZE : 1u;
    uint stride = pc.inner;
    uint base = (r / pc.inner) * n * pc.inner + r % pc.inner;

    if (MODE == LAYER_NORM)
    {
        float sum = 0.0;
        for (uint k = t; k < n; k += step) sum += load(base + k);
        float mean = groupReduce(sum, false) / float(n);
        float squares = 0.0;
        for (uint k = t; k < n; k += step)
        {
            float d = load(base + k) - mean;
            squares += d * d;
        }
        float rstd = 1.0 / sqrt(groupReduce(squares, false) / float(n) + pc.epsilon);
        for (uint k = t; k < n; k += step)
        {
            float v = (load(base + k) - mean) * rstd * uintBitsToFloat(gammaOrLabels[k]) + uintBitsToFloat(beta[k]);
            y[base + k] = roundFloat(v, ROUND);
        }
        return;
    }

    float m = -positiveInfinity();
    for (uint k = t; k < n; k += step) m = maxPropagatingNaN(m, load(base + k * stride));
    m = groupReduce(m, true);
    float s = 0.0;
    for (uint k = t; k < n; k += step) s += exp(load(base + k * stride) - m);
    s = groupReduce(s, false);

    if (MODE == CROSS_ENTROPY)
    {
        if (t != 0u) return;
        int label = int(gammaOrLabels[r]);
        if (label < 0 || uint(label) >= n)
        {
            if (atomicCompSwap(status[0], 0u, pc.tag) == 0u)
            {
                status[1] = uint(label);
                status[2] = n;
                status[3] = r;
            }
            y[r] = floatBitsToUint(quietNaN());
            return;
        }
        y[r] = roundFloat(m + log(s) - load(base + uint(label)), ROUND);
        return;
    }

    float logSum = log(s);
    for (uint k = t; k < n; k += step)
    {
        float shifted = load(base + k * stride) - m;
        y[base + k * stride] = roundFloat(MODE == LOG_SOFTMAX ? shifted - logSum : exp(shifted) / s, ROUND);
    }
}
