// What every tensor-core kernel file (gemm_mma.cu, gemm_tf32.cu, bsmm_mma.cu) expects of its defines: the operand
// transposes (PF_TRANS_A, PF_TRANS_B: 0/1, default 0) and the launch resources lowering computed for its tile.
#pragma once

#ifndef PF_TRANS_A
#define PF_TRANS_A 0
#endif
#ifndef PF_TRANS_B
#define PF_TRANS_B 0
#endif

// Lowering passes the launch's block size and dynamic shared bytes as PF_THREADS / PF_SMEM_BYTES (MatMulKernels.cs):
// a C# tile table that drifted from the kernel fails to compile instead of launching with the wrong resources.
#if !defined(PF_THREADS) || !defined(PF_SMEM_BYTES)
#error "PF_THREADS and PF_SMEM_BYTES are required (the launch's block size and dynamic shared bytes)"
#endif
#define PF_CHECK_LAUNCH_RESOURCES(Tile)                                                                            \
    static_assert(Tile::THREADS == PF_THREADS, "lowering's block size differs from this kernel's tile");          \
    static_assert(Tile::SMEM_BYTES == PF_SMEM_BYTES, "lowering's dynamic shared bytes differ from this kernel's tile")
