// The fused AdamW update (decoupled weight decay), one grid-stride thread per element, in f32:
//   p' = p - lr·wd·p;  m' = b1·m + (1 - b1)·g;  v' = b2·v + (1 - b2)·g²;  p'' = p' - lr·(m'/c1) / (sqrt(v'/c2) + eps)
// with the bias corrections c = 1 - beta^t computed as -expm1(t·ln beta), so 1 - 0.999^t keeps its precision at
// small t (logBeta = ln beta from the host; -inf for beta 0 gives c = 1). lr and step t are f32 device scalars, so
// one compiled graph serves a whole schedule. A step that is not a finite number >= 1 is reported through the status
// words (tag, the step's f32 bits, 1, 0) and nothing is written, as the reference refuses it. param, grad, m, v and
// the three outputs share one float dtype; f16/bf16 outputs are rounded to nearest even. An output may alias its
// input (donation): each thread reads its element before writing it.
#include "ops.cuh"

extern "C" __global__ void pf_adamw(void* paramOut, void* mOut, void* vOut, const void* param, const void* grad, const void* m,
                                    const void* v, const float* lr, const float* step, int* status,
                                    int dtype, long long count, float beta1, float beta2, float epsilon, float weightDecay,
                                    float logBeta1, float logBeta2, int tag) {
    float rate = lr[0];
    float t = step[0];
    if (!(t >= 1.0f) || pf_isinf(t)) {
        if (pf_first_item() == 0) pf_report_at(status, tag, (int)__float_as_uint(t), 1, 0);
        return;
    }
    float correction1 = -expm1f(t * logBeta1);
    float correction2 = -expm1f(t * logBeta2);
    for (long long i = pf_first_item(); i < count; i += pf_item_stride()) {
        float g = pf_load(grad, i, dtype);
        float p = pf_load(param, i, dtype);
        p = p - rate * weightDecay * p;
        float mi = beta1 * pf_load(m, i, dtype) + (1.0f - beta1) * g;
        float vi = beta2 * pf_load(v, i, dtype) + (1.0f - beta2) * g * g;
        p = p - rate * (mi / correction1) / (sqrtf(vi / correction2) + epsilon);
        pf_store(paramOut, i, dtype, p);
        pf_store(mOut, i, dtype, mi);
        pf_store(vOut, i, dtype, vi);
    }
}
