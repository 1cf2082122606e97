#version 450
// Block-sparse row softmax: y = softmax(scale·x) over each element row of each block row's stored blocks
// (x, y: [batch, nnz, b, b]); one workgroup per element row (matmul_bsr_rows.glsl), max-subtracted, f32.
// Block rows without stored blocks have no elements and write nothing.
#extension GL_GOOGLE_include_directive : require
#include "matmul_bsr_rows.glsl"

layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(set = 0, binding = 2) readonly buffer RowPtr { int rowPtr[]; };

void main()
{
    uint r = bsr_group();
    if (r >= p.rows) return;
    uint blockRow = r % p.rowsPerBatch / BLOCK;
    bsr_select_row(r, rowPtr[blockRow], rowPtr[blockRow + 1]);
    uint tid = gl_LocalInvocationID.x, wg = gl_WorkGroupSize.x;
    // -inf is max's identity; a row that is entirely -inf becomes NaN below, as in the reference.
    float m = uintBitsToFloat(0xff800000u);
    for (uint e = tid; e < bsr_row_count; e += wg) m = max(m, p.scale * x[bsr_index(e)]);
    m = bsr_combine(m, true);
    float s = 0.0;
    for (uint e = tid; e < bsr_row_count; e += wg) s += exp(p.scale * x[bsr_index(e)] - m);
    s = bsr_combine(s, false);
    for (uint e = tid; e < bsr_row_count; e += wg)
    {
        uint at = bsr_index(e);
        y[at] = exp(p.scale * x[at] - m) / s;
    }
}
