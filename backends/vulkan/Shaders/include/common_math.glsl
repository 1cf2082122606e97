// Elementwise math with the reference backend's semantics where GLSL leaves them undefined: NaN
// propagation through max/min, log/sqrt/rsqrt of negative numbers and zero, and a tanh that neither
// overflows for large |x| nor loses relative precision near 0.
#ifndef PIXELFLY_COMMON_MATH_GLSL
#define PIXELFLY_COMMON_MATH_GLSL
#include "common.glsl"

const float SQRT_2_OVER_PI = 0.7978845608028654;
const float GELU_CUBIC = 0.044715;

float maxPropagatingNaN(float a, float b) { return isnan(a) || isnan(b) ? quietNaN() : max(a, b); }

float minPropagatingNaN(float a, float b) { return isnan(a) || isnan(b) ? quietNaN() : min(a, b); }

float safeLog(float x)
{
    if (isnan(x) || x < 0.0) return quietNaN();
    if (x == 0.0) return -positiveInfinity();
    return log(x);
}

float safeSqrt(float x) { return isnan(x) || x < 0.0 ? quietNaN() : sqrt(x); }

float safeRsqrt(float x)
{
    if (isnan(x) || x < 0.0) return quietNaN();
    if (x == 0.0) return positiveInfinity();
    return inversesqrt(x);
}

float stableTanh(float x)
{
    if (isnan(x)) return x;
    float ax = abs(x);
    // Below 2^-6 the odd series x - x^3/3 + 2x^5/15 is exact to float precision; 1 - e^-2|x| would cancel.
    if (ax < 0.015625) return x * (1.0 - x * x * (1.0 / 3.0 - x * x * (2.0 / 15.0)));
    float t = exp(-2.0 * ax);
    return sign(x) * ((1.0 - t) / (1.0 + t));
}

float sigmoid(float x) { return 1.0 / (1.0 + exp(-x)); }

float gelu(float x) { return 0.5 * x * (1.0 + stableTanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x))); }

// dy * gelu'(x), the backward of gelu (the same formula as the CPU and reference backends).
float geluGrad(float x, float dy)
{
    float t = stableTanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x));
    float du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * x * x);
    return dy * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du);
}

#endif
