#version 450
// Block-sparse Dsd: C = op(W)·op(B), W block-sparse, B dense [K, N] ([N, K] transposed), C dense [M, N] with
// M x K = op(W)'s size. One workgroup per (batch, output block row p, BN columns): it walks the stored blocks of
// op(W)'s block row p (table line p: the block's storage index and its block column q in op(W)) and, per block,
// runs b/BK steps of the tile engine with the block against op(B)[q·b.., cols]. BM = b. The transposed W
// (A_M_FAST) reads each block transposed, with the table taken from the layout's CSC instead of its CSR.
// A block row with no stored block writes zeros.
#extension GL_GOOGLE_include_directive : require
#include "matmul_tile.glsl"

layout(set = 0, binding = 0) readonly buffer W { float w[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer C { float c[]; };
// [lines + 1] line starts, then [nnz] block storage indices, then [nnz] block columns of op(W).
layout(set = 0, binding = 3) readonly buffer Table { int table[]; };

layout(push_constant) uniform Push
{
    uint M;         // op(W) rows = lines · b
    uint N;
    uint K;         // op(W) columns
    uint strideW;   // words between batches of W (0: shared)
    uint strideB;   // words between batches of B
    uint lines;     // block rows of op(W)
    uint nnz;
    uint tilesN;    // ceil(N / BN)
    uint tiles;     // tilesN · lines · batch
} p;

uint baseW, baseB, row0, col0, kBase, k0;
uint batch, firstEntry;

// Step s is reduction step s % (b / BK) of the line's stored block s / (b / BK).
void mm_select_step(uint s)
{
    uint e = firstEntry + s / (BM / BK);
    uint block = uint(table[p.lines + 1 + e]);
    kBase = uint(table[p.lines + 1 + p.nnz + e]) * BM;
    baseW = batch * p.strideW + block * BM * BM;
    k0 = s % (BM / BK) * BK;
}

float mm_fetch_a(uint m, uint k)
{
    uint j = k0 + k;
    return A_M_FAST ? w[baseW + j * BM + m] : w[baseW + m * BM + j];
}

float mm_fetch_b(uint k, uint n)
{
    uint col = col0 + n, kk = kBase + k0 + k;
    if (col >= p.N) return 0.0;
    return B_K_FAST ? b[baseB + col * p.K + kk] : b[baseB + kk * p.N + col];
}

uint baseC;

void mm_store(uint m, uint n, float v)
{
    uint col = col0 + n;
    if (col < p.N) c[baseC + (row0 + m) * p.N + col] = v;
}

void main()
{
    uint tile = mm_group();
    if (tile >= p.tiles) return;
    uint perBatch = p.tilesN * p.lines;
    batch = tile / perBatch;
    uint inBatch = tile % perBatch;
    uint line = inBatch / p.tilesN;
    row0 = line * BM;
    col0 = (inBatch % p.tilesN) * BN;
    baseB = batch * p.strideB;
    baseC = batch * p.M * p.N;
    firstEntry = uint(table[line]);
    mm_run((uint(table[line + 1]) - firstEntry) * (BM / BK));
    mm_store_all();
}
