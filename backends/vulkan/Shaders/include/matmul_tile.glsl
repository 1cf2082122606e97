// Shared-memory tile engine of the matmul family (gemm, sdd, dsd, dds).
//
// A workgroup computes one BM x BN tile of C = op(A)·op(B) in f32. Its WG = (BM/TM)·(BN/TN) invocations form a
// THREAD_ROWS x THREAD_COLS grid; each holds a TM x TN register block of outputs strided by that grid (rows
// ty + i·THREAD_ROWS, columns tx + j·THREAD_COLS), so neighbouring invocations read neighbouring shared words.
// The reduction runs in steps of BK: each step stages op(A)[BM x BK] and op(B)[BK x BN] in shared memory, then
// every invocation runs the BK rank-1 updates on its registers. The global loads of step s + 1 go to registers
// before the updates of step s (software pipelining), so memory latency overlaps the arithmetic.
//
// The including shader defines:
//   void  mm_select_step(uint s);       points mm_fetch_a/b at reduction step s (e.g. k0 = s·BK, or a block)
//   float mm_fetch_a(uint m, uint k);   op(A) at tile row m, column k of the selected step (0 outside the matrix)
//   float mm_fetch_b(uint k, uint n);   op(B) at row k of the selected step, tile column n (0 outside the matrix)
//   void  mm_store(uint m, uint n, float v);   writes C at tile row m, column n (bounds-checked by the shader)
// and calls mm_run(steps) then mm_store_all() from uniform control flow.
// Staging walks memory in the operand's contiguous direction: A_M_FAST when op(A)'s rows are adjacent in memory
// (A transposed), B_K_FAST when op(B)'s reduction index is (B transposed), so each load is coalesced.
//
// Specialization constants: 0 = WG (local_size_x), 3 = BM, 4 = BN, 5 = BK, 6 = TM, 7 = TN, 8 = A_M_FAST,
// 9 = B_K_FAST. BM, BN must be multiples of TM, TN and WG must equal (BM/TM)·(BN/TN) (the lowering checks).

#extension GL_EXT_control_flow_attributes : require

layout(local_size_x_id = 0) in;
layout(constant_id = 3) const uint BM = 64;
layout(constant_id = 4) const uint BN = 64;
layout(constant_id = 5) const uint BK = 16;
layout(constant_id = 6) const uint TM = 4;
layout(constant_id = 7) const uint TN = 4;
layout(constant_id = 8) const bool A_M_FAST = false;
layout(constant_id = 9) const bool B_K_FAST = false;

const uint THREAD_COLS = BN / TN;
const uint THREAD_ROWS = BM / TM;
// One word of padding per staged row spreads the column-wise stores (op(A) untransposed, op(B) transposed) over
// the banks.
const uint A_STRIDE = BM + 1;
const uint B_STRIDE = BN + 1;

shared float mm_tile_a[BK * A_STRIDE];
shared float mm_tile_b[BK * B_STRIDE];

float mm_acc[TM * TN];

// Staged elements each invocation loads per step (the last round may be partial); WG written out because array
// sizes must be specialization-constant expressions.
const uint A_SLOTS = (BM * BK + BM / TM * (BN / TN) - 1) / (BM / TM * (BN / TN));
const uint B_SLOTS = (BK * BN + BM / TM * (BN / TN) - 1) / (BM / TM * (BN / TN));
float mm_next_a[A_SLOTS];
float mm_next_b[B_SLOTS];

void mm_select_step(uint s);
float mm_fetch_a(uint m, uint k);
float mm_fetch_b(uint k, uint n);
void mm_store(uint m, uint n, float v);

/// The linear workgroup index (group counts may be folded into x and y, see Grid.For).
uint mm_group()
{
    return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}

/// Loads the selected step's share of both operands into registers.
void mm_prefetch()
{
    uint tid = gl_LocalInvocationID.x;
    uint wg = gl_WorkGroupSize.x;
    [[unroll]] for (uint r = 0; r < A_SLOTS; r++)
    {
        uint e = tid + r * wg;
        if (e < BM * BK)
        {
            uint m = A_M_FAST ? e % BM : e / BK;
            uint k = A_M_FAST ? e / BM : e % BK;
            mm_next_a[r] = mm_fetch_a(m, k);
        }
    }
    [[unroll]] for (uint r = 0; r < B_SLOTS; r++)
    {
        uint e = tid + r * wg;
        if (e < BK * BN)
        {
            uint n = B_K_FAST ? e / BK : e % BN;
            uint k = B_K_FAST ? e % BK : e / BN;
            mm_next_b[r] = mm_fetch_b(k, n);
        }
    }
}

/// Writes the prefetched registers to the shared tiles (the same element mapping as mm_prefetch).
void mm_commit()
{
    uint tid = gl_LocalInvocationID.x;
    uint wg = gl_WorkGroupSize.x;
    [[unroll]] for (uint r = 0; r < A_SLOTS; r++)
    {
        uint e = tid + r * wg;
        if (e < BM * BK)
        {
            uint m = A_M_FAST ? e % BM : e / BK;
            uint k = A_M_FAST ? e / BM : e % BK;
            mm_tile_a[k * A_STRIDE + m] = mm_next_a[r];
        }
    }
    [[unroll]] for (uint r = 0; r < B_SLOTS; r++)
    {
        uint e = tid + r * wg;
        if (e < BK * BN)
        {
            uint n = B_K_FAST ? e / BK : e % BN;
            uint k = B_K_FAST ? e % BK : e / BN;
            mm_tile_b[k * B_STRIDE + n] = mm_next_b[r];
        }
    }
}

/// The BK rank-1 updates of the staged tiles on this invocation's register block.
void mm_multiply_staged()
{
    uint tx = gl_LocalInvocationID.x % THREAD_COLS;
    uint ty = gl_LocalInvocationID.x / THREAD_COLS;
    float a[TM];
    float b[TN];
    for (uint k = 0; k < BK; k++)
    {
        [[unroll]] for (uint i = 0; i < TM; i++) a[i] = mm_tile_a[k * A_STRIDE + ty + i * THREAD_ROWS];
        [[unroll]] for (uint j = 0; j < TN; j++) b[j] = mm_tile_b[k * B_STRIDE + tx + j * THREAD_COLS];
        [[unroll]] for (uint i = 0; i < TM; i++)
            [[unroll]] for (uint j = 0; j < TN; j++)
                mm_acc[i * TN + j] = fma(a[i], b[j], mm_acc[i * TN + j]);
    }
}

/// Zeroes the accumulators and runs `steps` reduction steps (uniform across the workgroup).
void mm_run(uint steps)
{
    [[unroll]] for (uint i = 0; i < TM * TN; i++) mm_acc[i] = 0.0;
    if (steps == 0) return;
    mm_select_step(0);
    mm_prefetch();
    for (uint s = 0; s < steps; s++)
    {
        mm_commit();
        barrier();
        if (s + 1 < steps)
        {
            mm_select_step(s + 1);
            mm_prefetch();
        }
        mm_multiply_staged();
        barrier();
    }
}

/// Hands every register of the block to mm_store at its tile coordinates.
void mm_store_all()
{
    uint tx = gl_LocalInvocationID.x % THREAD_COLS;
    uint ty = gl_LocalInvocationID.x / THREAD_COLS;
    [[unroll]] for (uint i = 0; i < TM; i++)
        [[unroll]] for (uint j = 0; j < TN; j++)
            mm_store(ty + i * THREAD_ROWS, tx + j * THREAD_COLS, mm_acc[i * TN + j]);
}
