// Block-sparse matmul without tensor cores (f32 FFMA; exact f32 for f32 inputs, the fallback for f16/bf16 operands
// the tensor-core kernel cannot take), in the three modes of BlockSparseMatMulOp; same grid, tables, split-K and
// output conventions as bsmm_mma.cu. Defines: PF_IN (0 = f32, 1 = f16, 2 = bf16), PF_BLOCK (16, 32, 64),
// PF_MODE (0 = Sdd, 1 = Dsd, 2 = Dds). Transposes are element strides, not variants:
//   op(A)[m][k] = A[m·sAm + k·sAk], op(B)[k][n] = B[k·sBk + n·sBn]; for the sparse operand the same strides
//   address inside one b x b block (op(W) = W: (b, 1) as (row, col) strides; op(W) = Wᵀ: (1, b)).
// Tiles (BK = 8): Sdd b x b; Dsd b x 128; Dds 128 x b; 256 threads each.
#include "tile_simt.cuh"
#include "bsmm_grid.cuh"

namespace {

constexpr int kB = PF_BLOCK, kBK = 8;

#if PF_MODE == 0
constexpr int kBM = kB, kBN = kB;
constexpr int kTM = kB / 16, kTN = kB / 16;                // 16 x 16 threads
#elif PF_MODE == 1
constexpr int kBM = kB, kBN = 128;
constexpr int kTM = kB == 16 ? 2 : 4, kTN = kB == 64 ? 8 : 4;   // (b/TM)·(128/TN) = 256 threads
#elif PF_MODE == 2
constexpr int kBM = 128, kBN = kB;
constexpr int kTM = kB == 64 ? 8 : 4, kTN = kB == 16 ? 2 : 4;   // (128/TM)·(b/TN) = 256 threads
#else
#error "PF_MODE must be 0 (Sdd), 1 (Dsd) or 2 (Dds)"
#endif

typedef PfSimtTile<kBM, kBN, kBK, kTM, kTN> Tile;
static_assert(Tile::THREADS == 256, "every block-sparse SIMT tile uses 256 threads");

// The element strides of op(A) and op(B) (the sparse operand's inside one block); every Src below is one.
struct Strides {
    int am, ak, bk, bn;
    __device__ __forceinline__ bool a_m_fast() const { return am == 1; }
    __device__ __forceinline__ bool b_n_fast() const { return bn == 1; }
};

#if PF_MODE == 0
struct Src : Strides {
    const pf_in_t* A;
    const pf_in_t* B;
    int K, p, q, k0;
    struct Step {
        int kb;
    };
    __device__ __forceinline__ Step step_info(int step) const { return Step{k0 + step * kBK}; }
    __device__ __forceinline__ float a(const Step& st, int m, int k) const {
        const int gk = st.kb + k;
        return gk < K ? pf_to_float(A[(long long)(p * kB + m) * am + (long long)gk * ak]) : 0.0f;
    }
    __device__ __forceinline__ float b(const Step& st, int k, int n) const {
        const int gk = st.kb + k;
        return gk < K ? pf_to_float(B[(long long)gk * bk + (long long)(q * kB + n) * bn]) : 0.0f;
    }
};
#elif PF_MODE == 1
struct Src : Strides {
    PfBlockLineWalk<kB, kBK> walk;
    const pf_in_t* B;
    int N, n0;
    typedef PfBlockLineWalk<kB, kBK>::Step Step;
    __device__ __forceinline__ Step step_info(int step) const { return walk.step(step); }
    __device__ __forceinline__ float a(const Step& st, int m, int k) const {
        return pf_to_float(st.blk[m * am + (st.kin + k) * ak]);
    }
    __device__ __forceinline__ float b(const Step& st, int k, int n) const {
        const int gn = n0 + n;
        return gn < N ? pf_to_float(B[(long long)(st.k + k) * bk + (long long)gn * bn]) : 0.0f;
    }
};
#else
struct Src : Strides {
    const pf_in_t* A;
    PfBlockLineWalk<kB, kBK> walk;
    int M, m0;
    typedef PfBlockLineWalk<kB, kBK>::Step Step;
    __device__ __forceinline__ Step step_info(int step) const { return walk.step(step); }
    __device__ __forceinline__ float a(const Step& st, int m, int k) const {
        const int gm = m0 + m;
        return gm < M ? pf_to_float(A[(long long)gm * am + (long long)(st.k + k) * ak]) : 0.0f;
    }
    __device__ __forceinline__ float b(const Step& st, int k, int n) const {
        return pf_to_float(st.blk[(st.kin + k) * bk + n * bn]);
    }
};
#endif

}  // namespace

extern "C" __global__ void __launch_bounds__(256)
pf_bsmm_simt(const pf_in_t* __restrict__ A, const pf_in_t* __restrict__ B, void* __restrict__ out,
             const int* __restrict__ table, int M, int N, int K, long long strideA, long long strideB,
             int sAm, int sAk, int sBk, int sBn,
             int tiles, int lines, int splits, int batches, int nnz, int outKind) {
    __shared__ float smem[Tile::SMEM_FLOATS];
    const PfTileCoord at = pf_tile_coord(tiles, lines, splits);
    const pf_in_t* a = A + at.batch * strideA;
    const pf_in_t* b = B + at.batch * strideB;
    const Strides st{sAm, sAk, sBk, sBn};
    Tile tile;
#if PF_MODE == 0
    const int e = at.tile;
    int s0, s1;
    pf_split_range((K + kBK - 1) / kBK, at.split, splits, s0, s1);
    const Src src{st, a, b, K, table[e], table[nnz + e], s0 * kBK};
    tile.run(src, s1 - s0, smem);
#elif PF_MODE == 1
    int steps;
    const Src src{st, pf_line_walk<kB, kBK>(a, table, lines, nnz, at.line, at.split, splits, steps), b, N, at.tile * kBN};
    tile.run(src, steps, smem);
#else
    int steps;
    const Src src{st, a, pf_line_walk<kB, kBK>(b, table, lines, nnz, at.line, at.split, splits, steps), M, at.tile * kBM};
    tile.run(src, steps, smem);
#endif
    pf_store_tile(tile, out, pf_bsmm_window<kB, kBM, kBN>(at, M, N, nnz, batches), at.split, splits, outKind);
}
