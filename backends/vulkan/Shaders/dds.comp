#version 450
// Block-sparse Dds: C = op(A)·op(W), A dense [M, K] ([K, M] transposed), W block-sparse, C dense [M, N] with
// K x N = op(W)'s size. One workgroup per (batch, BM rows, output block column q): it walks the stored blocks of
// op(W)'s block column q (table line q: the block's storage index and its block row p in op(W)) and, per block,
// runs b/BK steps of the tile engine with op(A)[rows, p·b..] against the block. BN = b. The transposed W
// (B_K_FAST) reads each block transposed; the table then comes from the layout's CSR instead of its CSC, which
// is how dX = dY·W (untransposed, via CSC) and y = x·Wᵀ (transposed, via CSR) both avoid a transpose copy.
// A block column with no stored block writes zeros.
#extension GL_GOOGLE_include_directive : require
#include "matmul_tile.glsl"

layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer W { float w[]; };
layout(set = 0, binding = 2) writeonly buffer C { float c[]; };
// [lines + 1] line starts, then [nnz] block storage indices, then [nnz] block rows of op(W).
layout(set = 0, binding = 3) readonly buffer Table { int table[]; };

layout(push_constant) uniform Push
{
    uint M;
    uint N;         // op(W) columns = lines · b
    uint K;         // op(W) rows
    uint strideA;   // words between batches of A (0: shared)
    uint strideW;   // words between batches of W (0: shared)
    uint lines;     // block columns of op(W)
    uint nnz;
    uint tilesM;    // ceil(M / BM)
    uint tiles;     // tilesM · lines · batch
} p;

uint baseA, baseW, row0, col0, kBase, k0;
uint batch, firstEntry;

// Step s is reduction step s % (b / BK) of the line's stored block s / (b / BK).
void mm_select_step(uint s)
{
    uint e = firstEntry + s / (BN / BK);
    uint block = uint(table[p.lines + 1 + e]);
    kBase = uint(table[p.lines + 1 + p.nnz + e]) * BN;
    baseW = batch * p.strideW + block * BN * BN;
    k0 = s % (BN / BK) * BK;
}

float mm_fetch_a(uint m, uint k)
{
    uint row = row0 + m, kk = kBase + k0 + k;
    if (row >= p.M) return 0.0;
    return A_M_FAST ? a[baseA + kk * p.M + row] : a[baseA + row * p.K + kk];
}

float mm_fetch_b(uint k, uint n)
{
    uint i = k0 + k;
    return B_K_FAST ? w[baseW + n * BN + i] : w[baseW + i * BN + n];
}

uint baseC;

void mm_store(uint m, uint n, float v)
{
    uint row = row0 + m;
    if (row < p.M) c[baseC + row * p.N + col0 + n] = v;
}

void main()
{
    uint tile = mm_group();
    if (tile >= p.tiles) return;
    uint perBatch = p.tilesM * p.lines;
    batch = tile / perBatch;
    uint inBatch = tile % perBatch;
    uint q = inBatch / p.tilesM;
    row0 = (inBatch % p.tilesM) * BM;
    col0 = q * BN;
    baseA = batch * p.strideA;
    baseC = batch * p.M * p.N;
    firstEntry = uint(table[q]);
    mm_run((uint(table[q + 1]) - firstEntry) * (BN / BK));
    mm_store_all();
}
