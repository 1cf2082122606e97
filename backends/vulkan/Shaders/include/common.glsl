// Shared helpers of the op shaders: the linear workgroup of a grid folded into (x, y) (Lowering/Grid.cs),
// exact f16/bf16 rounding of f32 bit patterns (round to nearest even, NaN kept quiet: the CPU backend's
// HalfConversions bit for bit), and the status-buffer protocol for data-dependent errors.
// Every value is a 32-bit word: shaders move uint bit patterns so copies are bit-exact and no float
// instruction ever sees a value it need not (drivers may flush denormals in arithmetic).
#ifndef PIXELFLY_COMMON_GLSL
#define PIXELFLY_COMMON_GLSL

// The workgroup size is specialization constant 0. It is declared here, before any code, because glslang compiles
// gl_WorkGroupSize used above a `local_size_x_id` declaration as the constant 1.
layout(local_size_x_id = 0) in;
#define GROUP_SIZE gl_WorkGroupSize.x

#define ROUND_NONE 0u
#define ROUND_F16 1u
#define ROUND_BF16 2u

// The linear workgroup index of a dispatch from Grid.For.
uint linearGroup() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }

// The linear invocation index when each invocation handles one item.
uint linearInvocation() { return linearGroup() * GROUP_SIZE + gl_LocalInvocationID.x; }

float quietNaN() { return uintBitsToFloat(0x7FC00000u); }

float positiveInfinity() { return uintBitsToFloat(0x7F800000u); }

bool isNaNBits(uint bits) { return (bits & 0x7FFFFFFFu) > 0x7F800000u; }

// f32 bits -> IEEE binary16 bits, round to nearest even; overflow gives infinity, NaN stays a quiet NaN.
uint f32BitsToF16Bits(uint x)
{
    uint sign = (x >> 16) & 0x8000u;
    uint e = (x >> 23) & 0xFFu;
    uint m = x & 0x7FFFFFu;
    if (e == 0xFFu) return sign | 0x7C00u | (m != 0u ? 0x200u | (m >> 13) : 0u);
    int exponent = int(e) - 112; // rebias 127 -> 15
    if (exponent >= 31) return sign | 0x7C00u;
    if (exponent <= 0)
    {
        // Subnormal half: the 24-bit significand (implicit bit included) shifted right by 14 - exponent.
        if (exponent < -10) return sign;
        m |= 0x800000u;
        uint shift = uint(14 - exponent);
        uint kept = m >> shift;
        uint rest = m & ((1u << shift) - 1u);
        uint halfway = 1u << (shift - 1u);
        if (rest > halfway || (rest == halfway && (kept & 1u) != 0u)) kept += 1u;
        return sign | kept;
    }
    uint h = sign | (uint(exponent) << 10) | (m >> 13);
    uint rest = m & 0x1FFFu;
    // A carry out of the significand correctly rounds up into the next binade (or to infinity).
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) != 0u)) h += 1u;
    return h;
}

// IEEE binary16 bits -> f32 bits (exact; f16 subnormals are normal f32 numbers).
uint f16BitsToF32Bits(uint h)
{
    uint sign = (h & 0x8000u) << 16;
    uint e = (h >> 10) & 0x1Fu;
    uint m = h & 0x3FFu;
    if (e == 0u)
    {
        if (m == 0u) return sign;
        int top = findMSB(m); // value = m * 2^-24 = 1.f * 2^(top - 24)
        return sign | (uint(top + 103) << 23) | ((m << uint(23 - top)) & 0x7FFFFFu);
    }
    if (e == 31u) return sign | 0x7F800000u | (m << 13);
    return sign | ((e + 112u) << 23) | (m << 13);
}

// f32 bits -> bf16 bits (the top half), round to nearest even, NaN made quiet.
uint f32BitsToBF16Bits(uint x)
{
    if (isNaNBits(x)) return (x >> 16) | 0x40u;
    return (x + 0x7FFFu + ((x >> 16) & 1u)) >> 16;
}

// Rounds f32 bits to what the 16-bit dtype holds, kept as f32 bits (mode: ROUND_*).
uint roundBits(uint x, uint mode)
{
    if (mode == ROUND_F16) return f16BitsToF32Bits(f32BitsToF16Bits(x));
    if (mode == ROUND_BF16) return f32BitsToBF16Bits(x) << 16;
    return x;
}

// Rounds a float result to the dtype and returns its bits, ready to store.
uint roundFloat(float v, uint mode) { return roundBits(floatBitsToUint(v), mode); }

#endif
