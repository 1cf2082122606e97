#version 450
// Block-sparse Sdd: for each stored block (p, q) of the layout, C[batch, block] = op(A)[p·b.., :]·op(B)[:, q·b..],
// a b x b block of the dense product, written as [batch, nnz, b, b]. A is [M, K] ([K, M] transposed), B is [K, N]
// ([N, K] transposed), M x N = the layout's padded size, both with the same batch. One workgroup per (batch,
// stored block), BM = BN = b; the table holds each block's block row then its block column.
#extension GL_GOOGLE_include_directive : require
#include "matmul_tile.glsl"

layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer C { float c[]; };
layout(set = 0, binding = 3) readonly buffer Table { int table[]; };   // [nnz] block rows, then [nnz] block columns

layout(push_constant) uniform Push
{
    uint M;
    uint N;
    uint K;
    uint strideA;   // words between batches (0: one batch)
    uint strideB;
    uint nnz;
    uint blocks;    // nnz · batch
} p;

uint baseA, baseB, row0, col0, k0;

void mm_select_step(uint s)
{
    k0 = s * BK;
}

float mm_fetch_a(uint m, uint k)
{
    uint row = row0 + m, kk = k0 + k;
    if (kk >= p.K) return 0.0;
    return A_M_FAST ? a[baseA + kk * p.M + row] : a[baseA + row * p.K + kk];
}

float mm_fetch_b(uint k, uint n)
{
    uint col = col0 + n, kk = k0 + k;
    if (kk >= p.K) return 0.0;
    return B_K_FAST ? b[baseB + col * p.K + kk] : b[baseB + kk * p.N + col];
}

uint baseC;

void mm_store(uint m, uint n, float v)
{
    c[baseC + m * BN + n] = v;
}

void main()
{
    uint g = mm_group();
    if (g >= p.blocks) return;
    uint batch = g / p.nnz;
    uint block = g % p.nnz;
    row0 = uint(table[block]) * BM;
    col0 = uint(table[p.nnz + block]) * BN;
    baseA = batch * p.strideA;
    baseB = batch * p.strideB;
    baseC = g * BM * BN;
    mm_run((p.K + BK - 1) / BK);
    mm_store_all();
}
