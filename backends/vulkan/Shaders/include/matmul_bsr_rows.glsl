// Element rows of a block-sparse matrix [batch, nnz, b, b] for the block-sparse softmax and its gradient.
//
// Element row r (of batch·Rows) is row i of every stored block of block row p: (last - first)·b elements, the
// j-th element of block `first + e / b` at column e % b. One workgroup of WG invocations owns one element row:
// each invocation folds a fixed strided subset in order and a shared-memory tree combines the partials, so every
// run adds in the same order (deterministic, no atomics). Spec constants: 0 = WG (a power of two), 3 = b.

layout(local_size_x_id = 0) in;
layout(constant_id = 3) const uint BLOCK = 16;

layout(push_constant) uniform Push
{
    uint rowsPerBatch;   // layout rows (block rows · b)
    uint nnz;
    uint rows;           // rowsPerBatch · batch
    float scale;
} p;

shared float bsr_partial[gl_WorkGroupSize.x];

uint bsr_row_first;   // flat index of element 0 of the row's first block
uint bsr_row_count;   // elements in the row

/// Selects element row r, whose block row holds the stored blocks [first, last) of the layout's block-CSR.
void bsr_select_row(uint r, int first, int last)
{
    uint batch = r / p.rowsPerBatch;
    uint i = r % p.rowsPerBatch % BLOCK;
    bsr_row_first = (batch * p.nnz + uint(first)) * BLOCK * BLOCK + i * BLOCK;
    bsr_row_count = uint(last - first) * BLOCK;
}

/// Flat index of element e of the selected row.
uint bsr_index(uint e)
{
    return bsr_row_first + (e / BLOCK) * BLOCK * BLOCK + e % BLOCK;
}

/// The element row of the calling workgroup (group counts may be folded into x and y, see Grid.For).
uint bsr_group()
{
    return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}

/// Tree-combines each invocation's partial: max when takeMax, else sum. Every invocation gets the result.
float bsr_combine(float partial, bool takeMax)
{
    uint tid = gl_LocalInvocationID.x;
    bsr_partial[tid] = partial;
    barrier();
    for (uint half_ = gl_WorkGroupSize.x / 2; half_ > 0; half_ /= 2)
    {
        if (tid < half_)
        {
            float other = bsr_partial[tid + half_];
            bsr_partial[tid] = takeMax ? max(bsr_partial[tid], other) : bsr_partial[tid] + other;
        }
        barrier();
    }
    float result = bsr_partial[0];
    barrier();
    return result;
}
