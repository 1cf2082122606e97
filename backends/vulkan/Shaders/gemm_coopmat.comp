#version 450
// Dense batched GEMM on cooperative matrices (VK_NV_cooperative_matrix, tensor cores) for f16 operands:
// C[b] = op(A[b])·op(B[b]) with f16 products accumulated in f32. Same bindings, push constants and tile numbering
// as gemm.comp. A workgroup of 4 subgroups computes a 64 x 64 tile; each subgroup owns a 32 x 32 quarter as 2 x 2
// fragments of 16 x 16 x 16. Per 16-deep step the workgroup stages op(A)[64 x 16] and op(B)[16 x 64] in shared memory
// as f16 (the values are f16 widened to f32 words, so the narrowing is exact), coalesced in each operand's memory
// order. The result goes through shared memory so odd M and N are stored bounds-checked.
// NOT RUN ON HARDWARE YET: the lowering uses it only on explicit opt-in (see GemmLowering).
// Specialization constants: 0 = WG (exactly 4 subgroups), 8 = A transposed, 9 = B transposed.
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require

layout(local_size_x_id = 0) in;
layout(constant_id = 8) const bool A_M_FAST = false;
layout(constant_id = 9) const bool B_K_FAST = false;

const uint BM = 64;
const uint BN = 64;
const uint BK = 16;
const uint FRAG = 16;

layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer C { float c[]; };

layout(push_constant) uniform Push
{
    uint M;
    uint N;
    uint K;
    uint strideA;
    uint strideB;
    uint tilesN;
    uint tilesPerBatch;
    uint tiles;
} p;

shared float16_t tileA[BM * BK];   // [m][k]
shared float16_t tileB[BK * BN];   // [k][n]
shared float tileC[BM * BN];       // [m][n]

void main()
{
    uint tile = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    if (tile >= p.tiles) return;
    uint batch = tile / p.tilesPerBatch;
    uint inBatch = tile % p.tilesPerBatch;
    uint row0 = (inBatch / p.tilesN) * BM;
    uint col0 = (inBatch % p.tilesN) * BN;
    uint baseA = batch * p.strideA, baseB = batch * p.strideB;
    uint tid = gl_LocalInvocationID.x, wg = gl_WorkGroupSize.x;
    uint sgRow = (gl_SubgroupID / 2) * 32, sgCol = (gl_SubgroupID % 2) * 32;

    fcoopmatNV<32, gl_ScopeSubgroup, FRAG, FRAG> acc00 = fcoopmatNV<32, gl_ScopeSubgroup, FRAG, FRAG>(0.0);
    fcoopmatNV<32, gl_ScopeSubgroup, FRAG, FRAG> acc01 = acc00, acc10 = acc00, acc11 = acc00;
    for (uint k0 = 0; k0 < p.K; k0 += BK)
    {
        for (uint e = tid; e < BM * BK; e += wg)
        {
            uint m = A_M_FAST ? e % BM : e / BK;
            uint k = A_M_FAST ? e / BM : e % BK;
            uint row = row0 + m, kk = k0 + k;
            float v = row < p.M && kk < p.K ? (A_M_FAST ? a[baseA + kk * p.M + row] : a[baseA + row * p.K + kk]) : 0.0;
            tileA[m * BK + k] = float16_t(v);
        }
        for (uint e = tid; e < BK * BN; e += wg)
        {
            uint n = B_K_FAST ? e / BK : e % BN;
            uint k = B_K_FAST ? e % BK : e / BN;
            uint col = col0 + n, kk = k0 + k;
            float v = col < p.N && kk < p.K ? (B_K_FAST ? b[baseB + col * p.K + kk] : b[baseB + kk * p.N + col]) : 0.0;
            tileB[k * BN + n] = float16_t(v);
        }
        barrier();
        fcoopmatNV<16, gl_ScopeSubgroup, FRAG, FRAG> a0, a1, b0, b1;
        coopMatLoadNV(a0, tileA, (sgRow + 0) * BK, BK, false);
        coopMatLoadNV(a1, tileA, (sgRow + FRAG) * BK, BK, false);
        coopMatLoadNV(b0, tileB, sgCol + 0, BN, false);
        coopMatLoadNV(b1, tileB, sgCol + FRAG, BN, false);
        acc00 = coopMatMulAddNV(a0, b0, acc00);
        acc01 = coopMatMulAddNV(a0, b1, acc01);
        acc10 = coopMatMulAddNV(a1, b0, acc10);
        acc11 = coopMatMulAddNV(a1, b1, acc11);
        barrier();
    }
    coopMatStoreNV(acc00, tileC, (sgRow + 0) * BN + sgCol + 0, BN, false);
    coopMatStoreNV(acc01, tileC, (sgRow + 0) * BN + sgCol + FRAG, BN, false);
    coopMatStoreNV(acc10, tileC, (sgRow + FRAG) * BN + sgCol + 0, BN, false);
    coopMatStoreNV(acc11, tileC, (sgRow + FRAG) * BN + sgCol + FRAG, BN, false);
    barrier();
    uint baseC = batch * p.M * p.N;
    for (uint e = tid; e < BM * BN; e += wg)
    {
        uint row = row0 + e / BN, col = col0 + e % BN;
        if (row < p.M && col < p.N) c[baseC + row * p.N + col] = tileC[e];
    }
}
