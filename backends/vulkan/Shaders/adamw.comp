#version 450
// Fused AdamW (decoupled weight decay, PyTorch's formulation), one invocation per element:
//   p <- p * (1 - lr*wd); m <- b1*m + (1-b1)*g; v <- b2*v + (1-b2)*g^2; p <- p - lr*(m/c1) / (sqrt(v/c2) + eps)
// with the bias corrections c = 1 - beta^t computed as -expm1(t * ln(beta)) so that 1 - 0.999^t keeps its
// precision for small t. lr and t are device scalars (one compiled graph serves a schedule); a step below 1
// (or NaN) is reported through the status buffer (tag, step bits, 1, 0). ROUND rounds all three outputs.
// Bindings: 0 param, 1 grad, 2 m, 3 v, 4 lr, 5 step, 6 param', 7 m', 8 v', 9 status.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(constant_id = 1) const uint ROUND = 0u;

layout(set = 0, binding = 0) readonly buffer Param { uint param[]; };
layout(set = 0, binding = 1) readonly buffer Grad { uint grad[]; };
layout(set = 0, binding = 2) readonly buffer M { uint m[]; };
layout(set = 0, binding = 3) readonly buffer V { uint v[]; };
layout(set = 0, binding = 4) readonly buffer Rate { uint rate[]; };
layout(set = 0, binding = 5) readonly buffer Step { uint stepBits[]; };
layout(set = 0, binding = 6) writeonly buffer ParamOut { uint paramOut[]; };
layout(set = 0, binding = 7) writeonly buffer MOut { uint mOut[]; };
layout(set = 0, binding = 8) writeonly buffer VOut { uint vOut[]; };
layout(set = 0, binding = 9) buffer Status { uint status[4]; };

layout(push_constant) uniform Push
{
    uint count;
    float beta1;
    float beta2;
    float epsilon;
    float weightDecay;
    float logBeta1;   // ln(beta1), -inf when beta1 is 0
    float logBeta2;
    uint tag;         // node index + 1
} pc;

// 1 - e^x without cancellation for small |x| (a Taylor series there, accurate to float precision).
float oneMinusExp(float x)
{
    if (abs(x) >= 0.5) return 1.0 - exp(x);
    float series = 1.0;
    for (int k = 12; k >= 2; k--) series = 1.0 + x / float(k) * series;
    return -x * series;
}

void main()
{
    uint i = linearInvocation();
    if (i >= pc.count) return;
    float lr = uintBitsToFloat(rate[0]);
    float t = uintBitsToFloat(stepBits[0]);
    if (!(t >= 1.0))
    {
        if (i == 0u && atomicCompSwap(status[0], 0u, pc.tag) == 0u)
        {
            status[1] = stepBits[0];
            status[2] = 1u;
            status[3] = 0u;
        }
        return;
    }
    float c1 = oneMinusExp(t * pc.logBeta1);
    float c2 = oneMinusExp(t * pc.logBeta2);
    float g = uintBitsToFloat(grad[i]);
    float p = uintBitsToFloat(param[i]) * (1.0 - lr * pc.weightDecay);
    float mi = pc.beta1 * uintBitsToFloat(m[i]) + (1.0 - pc.beta1) * g;
    float vi = pc.beta2 * uintBitsToFloat(v[i]) + (1.0 - pc.beta2) * g * g;
    p -= lr * (mi / c1) / (sqrt(vi / c2) + pc.epsilon);
    paramOut[i] = roundFloat(p, ROUND);
    mOut[i] = roundFloat(mi, ROUND);
    vOut[i] = roundFloat(vi, ROUND);
}
