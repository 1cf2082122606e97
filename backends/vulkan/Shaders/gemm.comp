#version 450
// Dense batched GEMM: C[b] = op(A[b])·op(B[b]) in f32, C row-major [batch, M, N].
// A is [M, K] ([K, M] when transposed), B is [K, N] ([N, K] when transposed), each with its own batch stride
// (0 for a rank-2 operand shared across the batch). One workgroup per BM x BN output tile, tiles of one batch
// consecutive (N fastest), all tiles numbered linearly and folded into (x, y) groups. Tiling: matmul_tile.glsl;
// spec constants 8/9 (A_M_FAST, B_K_FAST) are transA/transB. Any M, N, K: loads outside read 0, stores are checked.
#extension GL_GOOGLE_include_directive : require
#include "matmul_tile.glsl"

layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer C { float c[]; };

layout(push_constant) uniform Push
{
    uint M;
    uint N;
    uint K;
    uint strideA;     // words between batches of A (0: shared)
    uint strideB;
    uint tilesN;      // ceil(N / BN)
    uint tilesPerBatch;
    uint tiles;       // tilesPerBatch · batch
} p;

uint baseA, baseB, row0, col0, k0;

void mm_select_step(uint s)
{
    k0 = s * BK;
}

float mm_fetch_a(uint m, uint k)
{
    uint row = row0 + m, kk = k0 + k;
    if (row >= p.M || kk >= p.K) return 0.0;
    return A_M_FAST ? a[baseA + kk * p.M + row] : a[baseA + row * p.K + kk];
}

float mm_fetch_b(uint k, uint n)
{
    uint col = col0 + n, kk = k0 + k;
    if (col >= p.N || kk >= p.K) return 0.0;
    return B_K_FAST ? b[baseB + col * p.K + kk] : b[baseB + kk * p.N + col];
}

uint baseC;

void mm_store(uint m, uint n, float v)
{
    uint row = row0 + m, col = col0 + n;
    if (row < p.M && col < p.N) c[baseC + row * p.N + col] = v;
}

void main()
{
    uint tile = mm_group();
    if (tile >= p.tiles) return;
    uint batch = tile / p.tilesPerBatch;
    uint inBatch = tile % p.tilesPerBatch;
    row0 = (inBatch / p.tilesN) * BM;
    col0 = (inBatch % p.tilesN) * BN;
    baseA = batch * p.strideA;
    baseB = batch * p.strideB;
    baseC = batch * p.M * p.N;
    mm_run((p.K + BK - 1) / BK);
    mm_store_all();
}
