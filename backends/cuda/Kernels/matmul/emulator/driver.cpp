// Runs the real kernel sources on the CPU emulator against a double-precision reference.
#include "emu_rt.h"
#if FAMILY == 1
#include "gemm_mma.cu"
#elif FAMILY == 7
#include "gemm_tf32.cu"
#elif FAMILY == 2
#include "gemm_simt.cu"
#elif FAMILY == 3
#include "bsmm_mma.cu"
#elif FAMILY == 4
#include "bsmm_simt.cu"
#elif FAMILY == 5
#include "bsmm_any.cu"
#elif FAMILY == 6
#include "bs_softmax.cu"
#endif
#include "splitk_reduce.cu"
#include <random>
#include <algorithm>

static std::mt19937 rng(12345);
static int failures = 0, checks = 0;
static float rnd() { return (float)((int)(rng() % 17) - 8) / 4.0f; }   // exact in bf16/f16
static pf_in_t store(float v) {
#if PF_IN == 0
    return v;
#elif PF_IN == 1
    return pf_float_to_half(v);
#else
    return pf_float_to_bf16(v);
#endif
}
static float load(pf_in_t v) { return pf_to_float(v); }
static float out_value(const std::vector<unsigned char>& out, long long i, int kind) {
    if (kind == 0) { float f; memcpy(&f, out.data() + 4 * i, 4); return f; }
    unsigned short h; memcpy(&h, out.data() + 2 * i, 2);
    return kind == 1 ? pf_half_to_float(h) : pf_bf16_to_float(h);
}
static void expect(const char* what, const std::vector<double>& ref, const std::vector<unsigned char>& out, int kind) {
    int bad = 0;
    double tol = kind == 0 ? 1e-4 : 1e-2;
    for (size_t i = 0; i < ref.size(); ++i) {
        float got = out_value(out, (long long)i, kind);
        if (!(std::fabs(got - ref[i]) <= tol * (1 + std::fabs(ref[i])))) {
            if (bad < 5) fprintf(stderr, "  %s: [%zu] got %g want %g\n", what, i, got, ref[i]);
            ++bad;
        }
    }
    ++checks;
    if (bad) { ++failures; fprintf(stderr, "FAIL %s: %d of %zu wrong\n", what, bad, ref.size()); }
    else fprintf(stderr, "ok   %s (%zu values)\n", what, ref.size());
}
static std::vector<pf_in_t> random_tensor(long long n) {
    std::vector<pf_in_t> v(n);
    for (auto& x : v) x = store(rnd());
    return v;
}
// Runs the main kernel into out (splits = 1) or into scratch + reduce, mirroring the lowering.
static std::vector<unsigned char> run_with_splits(long long count, int splits, int outKind, unsigned grid, unsigned block,
                                                  size_t smem, const std::function<void(void*)>& kernel) {
    std::vector<unsigned char> out(count * (outKind == 0 ? 4 : 2));
    if (splits == 1) {
        emu_launch(grid, block, smem, [&] { kernel(out.data()); });
        return out;
    }
    std::vector<float> partial(count * splits, NAN);
    emu_launch(grid, block, smem, [&] { kernel(partial.data()); });
    emu_launch(3, 256, 0, [&] { pf_splitk_reduce(partial.data(), out.data(), count, splits, outKind); });
    return out;
}

#if FAMILY == 1 || FAMILY == 2 || FAMILY == 7
// op(X) element (r, c) of a [rows][cols] operand stored transposed or not.
static void gemm_case(int batches, bool shareA, bool shareB, int M, int N, int K, bool ta, bool tb, int splits, int outKind) {
    auto A = random_tensor((long long)(shareA ? 1 : batches) * M * K);
    auto B = random_tensor((long long)(shareB ? 1 : batches) * K * N);
    long long sA = shareA ? 0 : (long long)M * K, sB = shareB ? 0 : (long long)K * N;
    std::vector<double> ref((long long)batches * M * N);
    for (int b = 0; b < batches; ++b)
        for (int m = 0; m < M; ++m)
            for (int n = 0; n < N; ++n) {
                double s = 0;
                for (int k = 0; k < K; ++k) {
                    double a = load(A[b * sA + (ta ? (long long)k * M + m : (long long)m * K + k)]);
                    double w = load(B[b * sB + (tb ? (long long)n * K + k : (long long)k * N + n)]);
                    s += a * w;
                }
                ref[(long long)b * M * N + (long long)m * N + n] = s;
            }
    int tilesM = (M + 127) / 128, tilesN = (N + 127) / 128;
    unsigned grid = tilesM * tilesN * splits * batches;
    char what[200];
    snprintf(what, sizeof what, "gemm b%d%s%s %dx%dx%d ta%d tb%d splits %d out %d", batches, shareA ? " sharedA" : "", shareB ? " sharedB" : "", M, N, K, ta, tb, splits, outKind);
#if FAMILY == 7
    auto out = run_with_splits((long long)batches * M * N, splits, outKind, grid, Tile::THREADS, Tile::SMEM_BYTES, [&](void* o) {
        pf_gemm_tf32(A.data(), B.data(), o, M, N, K, sA, sB, tilesM, tilesN, splits, batches, outKind);
    });
#elif FAMILY == 1
    auto out = run_with_splits((long long)batches * M * N, splits, outKind, grid, Tile::THREADS, Tile::SMEM_BYTES, [&](void* o) {
        pf_gemm_mma(A.data(), B.data(), o, M, N, K, sA, sB, tilesM, tilesN, splits, batches, outKind);
    });
#else
    int sAm = ta ? 1 : K, sAk = ta ? M : 1, sBk = tb ? 1 : N, sBn = tb ? K : 1;
    auto out = run_with_splits((long long)batches * M * N, splits, outKind, grid, Tile::THREADS, 0, [&](void* o) {
        pf_gemm_simt(A.data(), B.data(), o, M, N, K, sA, sB, sAm, sAk, sBk, sBn, tilesM, tilesN, splits, batches, outKind);
    });
#endif
    expect(what, ref, out, outKind);
}
#endif

#if FAMILY >= 3 && FAMILY <= 6
struct Layout {
    int rows, cols, b, br, bc;
    std::vector<int> rowPtr, colIdx, colPtr, cscRow, cscBlock, rowOf;
    Layout(int blockRows, int blockCols, int bs, unsigned seed) : b(bs), br(blockRows), bc(blockCols) {
        rows = br * b; cols = bc * b;
        std::mt19937 r(seed);
        rowPtr.push_back(0);
        for (int p = 0; p < br; ++p) {
            for (int q = 0; q < bc; ++q)
                if (p != 1 && q != 2 && (r() % 3 != 0 || p == q)) { colIdx.push_back(q); rowOf.push_back(p); }   // row 1, column 2 empty
            rowPtr.push_back((int)colIdx.size());
        }
        colPtr.assign(bc + 1, 0);
        for (int q : colIdx) colPtr[q + 1]++;
        for (int q = 0; q < bc; ++q) colPtr[q + 1] += colPtr[q];
        auto next = colPtr;
        cscRow.resize(colIdx.size()); cscBlock.resize(colIdx.size());
        for (int p = 0; p < br; ++p)
            for (int k = rowPtr[p]; k < rowPtr[p + 1]; ++k) { int s = next[colIdx[k]]++; cscRow[s] = p; cscBlock[s] = k; }
    }
    int nnz() const { return (int)colIdx.size(); }
    std::vector<int> byRow() const { std::vector<int> t(rowPtr); for (int i = 0; i < nnz(); ++i) t.push_back(i); t.insert(t.end(), colIdx.begin(), colIdx.end()); return t; }
    std::vector<int> byCol() const { std::vector<int> t(colPtr); t.insert(t.end(), cscBlock.begin(), cscBlock.end()); t.insert(t.end(), cscRow.begin(), cscRow.end()); return t; }
    std::vector<int> coords() const { std::vector<int> t(rowOf); t.insert(t.end(), colIdx.begin(), colIdx.end()); return t; }
    // Dense W (rows x cols) of one batch of blocks.
    std::vector<double> dense(const pf_in_t* blocks) const {
        std::vector<double> w((size_t)rows * cols, 0.0);
        for (int p = 0; p < br; ++p)
            for (int k = rowPtr[p]; k < rowPtr[p + 1]; ++k)
                for (int i = 0; i < b; ++i)
                    for (int j = 0; j < b; ++j)
                        w[(size_t)(p * b + i) * cols + colIdx[k] * b + j] = load(blocks[(size_t)k * b * b + i * b + j]);
        return w;
    }
};
#endif

#if FAMILY >= 3 && FAMILY <= 5
// mode 0 Sdd, 1 Dsd, 2 Dds; `free` is the dense free dimension (Sdd: K; Dsd: N; Dds: M).
static void bsmm_case(int mode, const Layout& L, int batches, bool shareW, int freeDim, bool ta, bool tb, int splits, int outKind) {
    int b = L.b, nnz = L.nnz();
    long long blockElems = (long long)nnz * b * b;
    int M, N, K;
    if (mode == 0) { M = L.rows; N = L.cols; K = freeDim; }
    else if (mode == 1) { M = ta ? L.cols : L.rows; K = ta ? L.rows : L.cols; N = freeDim; }
    else { K = tb ? L.cols : L.rows; N = tb ? L.rows : L.cols; M = freeDim; }
    // Operand storage: A then B as the kernel sees them (Dsd: A is W; Dds: B is W).
    std::vector<pf_in_t> A, B;
    long long sA, sB;
    if (mode == 0) { A = random_tensor((long long)batches * M * K); B = random_tensor((long long)batches * K * N); sA = (long long)M * K; sB = (long long)K * N; }
    else if (mode == 1) { A = random_tensor((shareW ? 1 : batches) * blockElems); B = random_tensor((long long)batches * K * N); sA = shareW ? 0 : blockElems; sB = (long long)K * N; }
    else { A = random_tensor((long long)batches * M * K); B = random_tensor((shareW ? 1 : batches) * blockElems); sA = (long long)M * K; sB = shareW ? 0 : blockElems; }
    long long count = mode == 0 ? (long long)batches * blockElems : (long long)batches * M * N;
    std::vector<double> ref(count);
    for (int bt = 0; bt < batches; ++bt) {
        // op(A) M x K and op(B) K x N as dense doubles.
        std::vector<double> opA((size_t)M * K), opB((size_t)K * N);
        if (mode == 1) {
            auto w = L.dense(A.data() + bt * sA);
            for (int m = 0; m < M; ++m) for (int k = 0; k < K; ++k) opA[(size_t)m * K + k] = ta ? w[(size_t)k * L.cols + m] : w[(size_t)m * L.cols + k];
        } else {
            for (int m = 0; m < M; ++m) for (int k = 0; k < K; ++k) opA[(size_t)m * K + k] = load(A[bt * sA + (ta ? (long long)k * M + m : (long long)m * K + k)]);
        }
        if (mode == 2) {
            auto w = L.dense(B.data() + bt * sB);
            for (int k = 0; k < K; ++k) for (int n = 0; n < N; ++n) opB[(size_t)k * N + n] = tb ? w[(size_t)n * L.cols + k] : w[(size_t)k * L.cols + n];
        } else {
            for (int k = 0; k < K; ++k) for (int n = 0; n < N; ++n) opB[(size_t)k * N + n] = load(B[bt * sB + (tb ? (long long)n * K + k : (long long)k * N + n)]);
        }
        std::vector<double> C((size_t)M * N, 0.0);
        for (int m = 0; m < M; ++m) for (int k = 0; k < K; ++k) { double a = opA[(size_t)m * K + k]; if (a != 0) for (int n = 0; n < N; ++n) C[(size_t)m * N + n] += a * opB[(size_t)k * N + n]; }
        if (mode == 0) {
            for (int e = 0; e < nnz; ++e) for (int i = 0; i < b; ++i) for (int j = 0; j < b; ++j)
                ref[(size_t)bt * blockElems + (size_t)e * b * b + i * b + j] = C[(size_t)(L.rowOf[e] * b + i) * N + L.colIdx[e] * b + j];
        } else {
            for (size_t i = 0; i < C.size(); ++i) ref[(size_t)bt * M * N + i] = C[i];
        }
    }
    std::vector<int> table = mode == 0 ? L.coords() : mode == 1 ? (ta ? L.byCol() : L.byRow()) : (tb ? L.byRow() : L.byCol());
    int lines = mode == 0 ? 1 : mode == 1 ? M / b : N / b;
    // SIMT / generic strides (ElementStrides in BlockSparseLowering.cs).
    auto dense = [](int rows, int cols, bool t) { return t ? std::make_pair(1, rows) : std::make_pair(cols, 1); };
    auto blk = [b](bool t) { return t ? std::make_pair(1, b) : std::make_pair(b, 1); };
    auto [sAm, sAk] = mode == 1 ? blk(ta) : dense(M, K, ta);
    auto [sBk, sBn] = mode == 2 ? blk(tb) : dense(K, N, tb);
    char what[240];
    snprintf(what, sizeof what, "bsmm mode %d b%d %dx%dx%d nnz %d batch %d%s ta%d tb%d splits %d out %d", mode, b, M, N, K, nnz, batches, shareW ? " sharedW" : "", ta, tb, splits, outKind);
#if FAMILY == 5
    (void)splits;
    auto out = run_with_splits(count, 1, outKind, 7, 256, 0, [&](void* o) {
        pf_bsmm_any(A.data(), B.data(), o, table.data(), M, N, K, sA, sB, sAm, sAk, sBk, sBn, b, lines, batches, nnz, outKind);
    });
#else
    int tiles = mode == 0 ? nnz : mode == 1 ? (N + kBN - 1) / kBN : (M + kBM - 1) / kBM;
    unsigned grid = tiles * lines * splits * batches;
#if FAMILY == 3
    auto out = run_with_splits(count, splits, outKind, grid, Tile::THREADS, Tile::SMEM_BYTES, [&](void* o) {
        pf_bsmm_mma(A.data(), B.data(), o, table.data(), M, N, K, sA, sB, tiles, lines, splits, batches, nnz, outKind);
    });
#else
    auto out = run_with_splits(count, splits, outKind, grid, Tile::THREADS, 0, [&](void* o) {
        pf_bsmm_simt(A.data(), B.data(), o, table.data(), M, N, K, sA, sB, sAm, sAk, sBk, sBn, tiles, lines, splits, batches, nnz, outKind);
    });
#endif
#endif
    expect(what, ref, out, outKind);
}
#endif

int main() {
#if FAMILY == 7
    const bool ta = PF_TRANS_A, tb = PF_TRANS_B;   // operands k/4 are exact in tf32
    gemm_case(2, false, true, 132, 140, 44, ta, tb, 1, 0);
    gemm_case(1, false, false, 200, 40, 200, ta, tb, 3, 2);
#elif FAMILY == 1
    const bool ta = PF_TRANS_A, tb = PF_TRANS_B;
    gemm_case(2, false, true, 136, 144, 72, ta, tb, 1, 0);
    gemm_case(1, false, false, 200, 40, 200, ta, tb, 3, 2);
    gemm_case(2, true, false, 8, 264, 16, ta, tb, 1, 1);
    gemm_case(1, false, false, 16, 16, 0, ta, tb, 1, 0);
#elif FAMILY == 2
    for (int t = 0; t < 4; ++t) {
        gemm_case(2, false, true, 131, 67, 37, t & 1, t >> 1, 1, 0);
        gemm_case(1, true, false, 9, 130, 50, t & 1, t >> 1, 3, 2);
    }
#elif FAMILY == 3
    const bool ta = PF_TRANS_A, tb = PF_TRANS_B;
    Layout L(3, 4, PF_BLOCK, 7);
    int freeDim = PF_MODE == 0 ? 72 : PF_MODE == 1 ? 136 : 264;
    bsmm_case(PF_MODE, L, 2, false, freeDim, ta, tb, 1, 0);
    bsmm_case(PF_MODE, L, 1, true, freeDim, ta, tb, 2, 2);
    bsmm_case(PF_MODE, L, 2, true, PF_MODE == 0 ? 24 : 8, ta, tb, 1, 1);
#elif FAMILY == 4 || FAMILY == 5
    Layout L(3, 4, PF_BLOCK, 9);
    int freeDim = PF_MODE == 0 ? 45 : PF_MODE == 1 ? 37 : 131;
    for (int t = 0; t < 4; ++t) {
        bsmm_case(PF_MODE, L, 2, false, freeDim, t & 1, t >> 1, 1, 0);
        bsmm_case(PF_MODE, L, 1, true, freeDim, t & 1, t >> 1, FAMILY == 4 ? 3 : 1, 2);
    }
#elif FAMILY == 6
    for (int bs : {4, 16}) {
        Layout L(3, 4, bs, 5);
        int batches = 2, nnz = L.nnz();
        long long n = (long long)batches * nnz * bs * bs;
        auto x = random_tensor(n), dy = random_tensor(n);
        float scale = 0.75f;
        std::vector<pf_in_t> y(n), dx(n);
        unsigned grid = (unsigned)((batches * L.br * bs + 7) / 8);
        emu_launch(grid, 256, 0, [&] { pf_bs_softmax(x.data(), y.data(), L.rowPtr.data(), bs, L.br, nnz, batches, scale); });
        emu_launch(grid, 256, 0, [&] { pf_bs_softmax_grad(y.data(), dy.data(), dx.data(), L.rowPtr.data(), bs, L.br, nnz, batches, scale); });
        std::vector<double> ry(n), rdx(n);
        for (int bt = 0; bt < batches; ++bt)
            for (int p = 0; p < L.br; ++p)
                for (int i = 0; i < bs; ++i) {
                    std::vector<long long> idx;
                    for (int k = L.rowPtr[p]; k < L.rowPtr[p + 1]; ++k)
                        for (int j = 0; j < bs; ++j) idx.push_back(((long long)bt * nnz + k) * bs * bs + i * bs + j);
                    double mx = -INFINITY, sum = 0, dot = 0;
                    for (auto e : idx) mx = std::max(mx, (double)scale * load(x[e]));
                    for (auto e : idx) sum += std::exp(scale * load(x[e]) - mx);
                    for (auto e : idx) ry[e] = std::exp(scale * load(x[e]) - mx) / sum;
                    for (auto e : idx) dot += (double)load(dy[e]) * load(y[e]);
                    for (auto e : idx) rdx[e] = scale * load(y[e]) * (load(dy[e]) - dot);
                }
        std::vector<unsigned char> yb(n * sizeof(pf_in_t)), dxb(n * sizeof(pf_in_t));
        memcpy(yb.data(), y.data(), yb.size());
        memcpy(dxb.data(), dx.data(), dxb.size());
        expect("softmax", ry, yb, PF_IN);
        expect("softmax grad", rdx, dxb, PF_IN);
    }
#endif
    fprintf(stderr, "%d of %d checks failed\n", failures, checks);
    return failures ? 1 : 0;
}
