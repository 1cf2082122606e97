#version 450
// Backward of the block-sparse row softmax: dx = scale·y·(dy − Σ_row dy·y), the sum over the same stored element
// row (matmul_bsr_rows.glsl); one workgroup per element row, f32.
#extension GL_GOOGLE_include_directive : require
#include "matmul_bsr_rows.glsl"

layout(set = 0, binding = 0) readonly buffer Y { float y[]; };
layout(set = 0, binding = 1) readonly buffer DY { float dy[]; };
layout(set = 0, binding = 2) writeonly buffer DX { float dx[]; };
layout(set = 0, binding = 3) readonly buffer RowPtr { int rowPtr[]; };

void main()
{
    uint r = bsr_group();
    if (r >= p.rows) return;
    uint blockRow = r % p.rowsPerBatch / BLOCK;
    bsr_select_row(r, rowPtr[blockRow], rowPtr[blockRow + 1]);
    uint tid = gl_LocalInvocationID.x, wg = gl_WorkGroupSize.x;
    float dot = 0.0;
    for (uint e = tid; e < bsr_row_count; e += wg)
    {
        uint at = bsr_index(e);
        dot += dy[at] * y[at];
    }
    dot = bsr_combine(dot, false);
    for (uint e = tid; e < bsr_row_count; e += wg)
    {
        uint at = bsr_index(e);
        dx[at] = p.scale * y[at] * (dy[at] - dot);
    }
}
