// Block-sparse matmul on tensor cores for f16/bf16 inputs (f32 accumulation, mma.sync m16n8k16), in the three
// modes of BlockSparseMatMulOp. W is the sparse operand: [batch?][nnz][b][b], block e = (p, q) holds
// W[p·b+i][q·b+j] at e·b² + i·b + j. A transposed sparse operand is never copied: its blocks are read transposed
// (ldmatrix.trans or the other shared layout) and the walk follows the other index (CSC instead of CSR).
// Defines: PF_IN (1 = f16, 2 = bf16), PF_BLOCK (16, 32, 64), PF_MODE (0 = Sdd, 1 = Dsd, 2 = Dds), PF_TRANS_A/B,
// PF_THREADS and PF_SMEM_BYTES (the launch's block size and shared bytes, static_asserted against the tile).
//
//   Sdd: out block e (p, q) = op(A)[p·b.., :]·op(B)[:, q·b..]. CTA = one stored block (b x b), k steps over the
//        dense K (split-K over those steps). table = [nnz block rows][nnz block columns].
//   Dsd: out[p·b.., n0..n0+128) = Σ over stored blocks (p, q) of op(W): blk·op(B)[q·b.., n0..]. CTA = one block row
//        p of op(W) x 128 columns; k steps = that row's blocks (b/BK steps each).
//   Dds: out[m0..m0+256, q·b..] = Σ over stored blocks (p, q) of op(W): op(A)[m0.., p·b..]·blk. CTA = 256 rows x one
//        block column q of op(W); k steps = that column's blocks.
//   Dsd/Dds table (BlockLineTable): [lines + 1 starts][nnz block storage indices][nnz positions along k].
// Split-K (splits > 1): the k steps (Sdd) or a line's block list (Dsd/Dds) are divided evenly; each split writes
// f32 partials to out = scratch [splits][count], reduced in order by splitk_reduce.cu (deterministic, no atomics).
// Assumes the dense operand's contiguous axis is a multiple of 8 where it is a free dimension (Sdd: K unless op(A)
// is transposed and op(B) is not; Dsd: N unless B is transposed; Dds: M if A is transposed) and 16-byte aligned
// storage; lowering uses bsmm_simt.cu otherwise. Layout dimensions are multiples of b, so only free dims need edges.
#include "tile_mma.cuh"
#include "tc_kernel.cuh"
#include "bsmm_grid.cuh"

#if PF_IN != 1 && PF_IN != 2
#error "bsmm_mma.cu takes f16 (PF_IN=1) or bf16 (PF_IN=2) inputs"
#endif

namespace {

constexpr int kB = PF_BLOCK;
constexpr bool kTransA = PF_TRANS_A != 0, kTransB = PF_TRANS_B != 0;
constexpr bool kBf16 = PF_IN == 2;
// A's shared tile is [m][k] unless op(A) is a transpose; B's is [n][k] when op(B) is a transpose (tile_mma.cuh).
constexpr bool kAKMajor = !kTransA, kBKMajor = kTransB;

#if PF_MODE == 0
// Sdd: one b x b block per CTA; 4 warps of (b/2)² for b ≥ 32, one warp for b = 16.
constexpr int kBM = kB, kBN = kB, kBK = 32;
constexpr int kWarpsM = kB == 16 ? 1 : 2, kWarpsN = kB == 16 ? 1 : 2;
#elif PF_MODE == 1
// Dsd: b rows x 128 columns, 8 warps.
constexpr int kBM = kB, kBN = 128, kBK = kB < 32 ? kB : 32;
constexpr int kWarpsM = kB == 16 ? 1 : 2, kWarpsN = kB == 16 ? 8 : 4;
#elif PF_MODE == 2
// Dds: 256 rows x b columns, 8 warps (64x32 warp tiles for b = 64, 32x32 for b = 32, 32x16 for b = 16).
constexpr int kBM = 256, kBN = kB, kBK = kB < 32 ? kB : 32;
constexpr int kWarpsM = kB == 64 ? 4 : 8, kWarpsN = kB == 64 ? 2 : 1;
#else
#error "PF_MODE must be 0 (Sdd), 1 (Dsd) or 2 (Dds)"
#endif
typedef PfMmaTile<kBM, kBN, kBK, kWarpsM, kWarpsN, kAKMajor, kBKMajor, 4, kBf16> Tile;
PF_CHECK_LAUNCH_RESOURCES(Tile);

#if PF_MODE == 0
// A: op(A) is [M = layout rows][K]; B: op(B) is [K][N = layout cols]; (p, q) = this CTA's block.
struct Src {
    const pf_in_t* A;
    const pf_in_t* B;
    int M, N, K, p, q, k0;
    struct Step {
        int kb;
    };
    __device__ __forceinline__ Step step_info(int step) const { return Step{k0 + step * kBK}; }
    __device__ __forceinline__ const void* a_chunk(const Step& st, int row, int col) const {
        if (!kTransA) {   // shared [m][k]; A stored [M][K]
            const int m = p * kB + row, k = st.kb + col;
            return k < K ? A + (long long)m * K + k : nullptr;
        }
        const int k = st.kb + row, m = p * kB + col;   // shared [k][m]; A stored [K][M]
        return k < K ? A + (long long)k * M + m : nullptr;
    }
    __device__ __forceinline__ const void* b_chunk(const Step& st, int row, int col) const {
        if (kTransB) {   // shared [n][k]; B stored [N][K]
            const int n = q * kB + row, k = st.kb + col;
            return k < K ? B + (long long)n * K + k : nullptr;
        }
        const int k = st.kb + row, n = q * kB + col;   // shared [k][n]; B stored [K][N]
        return k < K ? B + (long long)k * N + n : nullptr;
    }
    __device__ __forceinline__ const void* any() const { return A; }
};
#elif PF_MODE == 1
// A = W (sparse, this batch), walked along block row p of op(W); B: op(B) is [K = op(W) cols][N].
struct Src {
    PfBlockLineWalk<kB, kBK> walk;
    const pf_in_t* B;
    int N, K, n0;
    typedef PfBlockLineWalk<kB, kBK>::Step Step;
    __device__ __forceinline__ Step step_info(int step) const { return walk.step(step); }
    __device__ __forceinline__ const void* a_chunk(const Step& st, int row, int col) const {
        // op(W)[m][k] = blk[m][k] (shared [m][k]), or blk[k][m] when transposed (shared [k][m]).
        return kTransA ? st.blk + (st.kin + row) * kB + col : st.blk + row * kB + st.kin + col;
    }
    __device__ __forceinline__ const void* b_chunk(const Step& st, int row, int col) const {
        if (kTransB) {   // shared [n][k]; B stored [N][K]
            const int n = n0 + row, k = st.k + col;
            return n < N ? B + (long long)n * K + k : nullptr;
        }
        const int k = st.k + row, n = n0 + col;   // shared [k][n]; B stored [K][N]
        return n < N ? B + (long long)k * N + n : nullptr;
    }
    __device__ __forceinline__ const void* any() const { return walk.W; }
};
#else
// A: op(A) is [M][K = op(W) rows]; B = W (sparse, this batch), walked along block column q of op(W).
struct Src {
    const pf_in_t* A;
    PfBlockLineWalk<kB, kBK> walk;
    int M, K, m0;
    typedef PfBlockLineWalk<kB, kBK>::Step Step;
    __device__ __forceinline__ Step step_info(int step) const { return walk.step(step); }
    __device__ __forceinline__ const void* a_chunk(const Step& st, int row, int col) const {
        if (!kTransA) {   // shared [m][k]; A stored [M][K]
            const int m = m0 + row, k = st.k + col;
            return m < M ? A + (long long)m * K + k : nullptr;
        }
        const int k = st.k + row, m = m0 + col;   // shared [k][m]; A stored [K][M]
        return m < M ? A + (long long)k * M + m : nullptr;
    }
    __device__ __forceinline__ const void* b_chunk(const Step& st, int row, int col) const {
        // op(W)[k][n] = blk[k][n] (shared [k][n]), or blk[n][k] when transposed (shared [n][k]).
        return kTransB ? st.blk + row * kB + st.kin + col : st.blk + (st.kin + row) * kB + col;
    }
    __device__ __forceinline__ const void* any() const { return A; }
};
#endif

}  // namespace

// M, N, K: op(A) is M x K, op(B) K x N, the (dense view of the) output M x N. strideA/strideB: batch strides of the
// two inputs in elements (0 = shared). tiles x lines x splits x batches CTAs (see pf_tile_coord); nnz = stored blocks.
extern "C" __global__ void __launch_bounds__(Tile::THREADS)
pf_bsmm_mma(const pf_in_t* __restrict__ A, const pf_in_t* __restrict__ B, void* __restrict__ out,
            const int* __restrict__ table, int M, int N, int K, long long strideA, long long strideB,
            int tiles, int lines, int splits, int batches, int nnz, int outKind) {
    extern __shared__ __align__(16) unsigned char smem[];
    const PfTileCoord at = pf_tile_coord(tiles, lines, splits);
    const pf_in_t* a = A + at.batch * strideA;
    const pf_in_t* b = B + at.batch * strideB;
    Tile tile;
#if PF_MODE == 0
    const int e = at.tile;
    int s0, s1;
    pf_split_range((K + kBK - 1) / kBK, at.split, splits, s0, s1);
    const Src src{a, b, M, N, K, table[e], table[nnz + e], s0 * kBK};
    tile.run(src, s1 - s0, smem);
#elif PF_MODE == 1
    int steps;
    const Src src{pf_line_walk<kB, kBK>(a, table, lines, nnz, at.line, at.split, splits, steps), b, N, K, at.tile * kBN};
    tile.run(src, steps, smem);
#else
    int steps;
    const Src src{a, pf_line_walk<kB, kBK>(b, table, lines, nnz, at.line, at.split, splits, steps), M, K, at.tile * kBM};
    tile.run(src, steps, smem);
#endif
    pf_store_tile(tile, out, pf_bsmm_window<kB, kBM, kBN>(at, M, N, nnz, batches), at.split, splits, outKind);
}
