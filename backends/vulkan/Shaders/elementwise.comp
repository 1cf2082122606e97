#version 450
// Elementwise ops: y[i] = f(a, b, c) for every element i of the contiguous output, each operand read
// through a broadcast view (per collapsed output dimension, the operand's stride, 0 where it is repeated).
// FUNC (specialization constant 1) selects the function (codes in Lowering/ElementwiseLowering.cs); ROUND
// (constant 2) rounds the result to f16/bf16. One invocation per output element; unary ops and casts bind
// `a` as b and c too.
#extension GL_GOOGLE_include_directive : require
#include "common_math.glsl"

layout(constant_id = 1) const uint FUNC = 0u;
layout(constant_id = 2) const uint ROUND = 0u;

const uint MAX_RANK = 6u;

layout(set = 0, binding = 0) writeonly buffer Out { uint y[]; };
layout(set = 0, binding = 1) readonly buffer InA { uint a[]; };
layout(set = 0, binding = 2) readonly buffer InB { uint b[]; };
layout(set = 0, binding = 3) readonly buffer InC { uint c[]; };

layout(push_constant) uniform Push
{
    uint count;
    uint rank;
    uint dims[MAX_RANK];
    uint strideA[MAX_RANK];
    uint strideB[MAX_RANK];
    uint strideC[MAX_RANK];
} pc;

// Codes: keep in sync with Lowering/ElementwiseLowering.cs.
const uint NEG = 0u, EXP = 1u, LOG = 2u, TANH = 3u, SIGMOID = 4u, RELU = 5u, GELU = 6u, RSQRT = 7u, SQRT = 8u;
const uint ADD = 10u, SUB = 11u, MUL = 12u, DIV = 13u, MAXIMUM = 14u, MINIMUM = 15u, GREATER = 16u, EQUAL = 17u, GELU_GRAD = 18u;
const uint WHERE_FLOAT_COND = 20u, WHERE_INT_COND = 21u;
const uint CAST_FLOAT = 30u, CAST_INT_TO_FLOAT = 31u, CAST_FLOAT_TO_INT = 32u, CAST_COPY = 33u;

float unary(float x)
{
    switch (FUNC)
    {
        case NEG: return -x;
        case EXP: return exp(x);
        case LOG: return safeLog(x);
        case TANH: return stableTanh(x);
        case SIGMOID: return sigmoid(x);
        case RELU: return maxPropagatingNaN(x, 0.0);
        case GELU: return gelu(x);
        case RSQRT: return safeRsqrt(x);
        default: return safeSqrt(x);
    }
}

float binary(float u, float v)
{
    switch (FUNC)
    {
        case ADD: return u + v;
        case SUB: return u - v;
        case MUL: return u * v;
        case DIV: return u / v;
        case MAXIMUM: return maxPropagatingNaN(u, v);
        case MINIMUM: return minPropagatingNaN(u, v);
        case GREATER: return u > v ? 1.0 : 0.0;
        case EQUAL: return u == v ? 1.0 : 0.0;
        default: return geluGrad(u, v);
    }
}

// Float -> i32 truncating toward zero; NaN gives 0 and out-of-range values saturate (as the CPU backend).
uint floatToInt(float x)
{
    if (isnan(x)) return 0u;
    if (x >= 2147483648.0) return uint(2147483647);
    if (x <= -2147483648.0) return uint(-2147483647 - 1);
    return uint(int(x));
}

void main()
{
    uint i = linearInvocation();
    if (i >= pc.count) return;
    uint ia = 0u, ib = 0u, ic = 0u, rest = i;
    for (int d = int(pc.rank) - 1; d >= 0; d--)
    {
        uint n = pc.dims[d];
        uint coord = rest % n;
        rest /= n;
        ia += coord * pc.strideA[d];
        ib += coord * pc.strideB[d];
        ic += coord * pc.strideC[d];
    }
    uint bits;
    if (FUNC <= SQRT)
        bits = roundFloat(unary(uintBitsToFloat(a[ia])), ROUND);
    else if (FUNC <= GELU_GRAD)
        bits = roundFloat(binary(uintBitsToFloat(a[ia]), uintBitsToFloat(b[ib])), ROUND);
    else if (FUNC == WHERE_FLOAT_COND || FUNC == WHERE_INT_COND)
    {
        uint cond = a[ia];
        bool taken = FUNC == WHERE_INT_COND ? cond != 0u : (cond & 0x7FFFFFFFu) != 0u; // -0.0 is false, NaN true
        bits = taken ? b[ib] : c[ic];
    }
    else if (FUNC == CAST_FLOAT)
        bits = roundBits(a[ia], ROUND);
    else if (FUNC == CAST_INT_TO_FLOAT)
        bits = roundFloat(float(int(a[ia])), ROUND);
    else if (FUNC == CAST_FLOAT_TO_INT)
        bits = floatToInt(uintBitsToFloat(a[ia]));
    else
        bits = a[ia];
    y[i] = bits;
}
