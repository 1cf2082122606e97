#!/usr/bin/env bash
# CPU emulation of the matmul kernels (no GPU, no NVRTC): compiles the real .cu sources with g++ against stand-ins for
# common.cuh and mma.cuh (emu_common.h, emu_mma.h: software f16, cp.async groups deferred to wait_group, ldmatrix and
# mma.sync as warp collectives with the PTX ISA fragment layouts), runs every CUDA thread as an OS thread under
# ASan/UBSan, and compares each kernel with a double-precision reference on edge-heavy shapes (driver.cpp).
#   backends/cuda/Kernels/matmul/emulator/run.sh [CASE...]     CASE as listed by `run.sh list`; default: all.
# Slow (tens of seconds a case, mostly compiling); a development check, not part of dotnet test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
kernels="$(dirname "$here")"
work="${TMPDIR:-/tmp}/pixelfly-matmul-emu"
mkdir -p "$work"

# name family defines...
cases() {
    for t in 00 01 10 11; do a=${t:0:1}; b=${t:1:1}
        echo "gemm_mma_bf16_$t 1 PF_IN=2 PF_TRANS_A=$a PF_TRANS_B=$b $(smem mma 0 0 $a $b)"
        echo "gemm_tf32_$t 7 PF_TRANS_A=$a PF_TRANS_B=$b $(smem tf32 0 0 $a $b)"
        for mode in 0 1 2; do for bs in 16 32 64; do
            echo "bsmm_mma_bf16_m${mode}_b${bs}_$t 3 PF_IN=2 PF_BLOCK=$bs PF_MODE=$mode PF_TRANS_A=$a PF_TRANS_B=$b $(smem bsmm $mode $bs $a $b)"
        done; done
    done
    echo "gemm_mma_f16_01 1 PF_IN=1 PF_TRANS_A=0 PF_TRANS_B=1 $(smem mma 0 0 0 1)"
    echo "bsmm_mma_f16_m1_b16_11 3 PF_IN=1 PF_BLOCK=16 PF_MODE=1 PF_TRANS_A=1 PF_TRANS_B=1 $(smem bsmm 1 16 1 1)"
    for in in 0 1 2; do
        echo "gemm_simt_$in 2 PF_IN=$in"
        for mode in 0 1 2; do for bs in 16 32 64; do echo "bsmm_simt_${in}_m${mode}_b${bs} 4 PF_IN=$in PF_BLOCK=$bs PF_MODE=$mode"; done; done
        for mode in 0 1 2; do echo "bsmm_any_${in}_m${mode} 5 PF_IN=$in PF_BLOCK=8 PF_MODE=$mode"; done
        echo "softmax_$in 6 PF_IN=$in"
    done
}

# PF_THREADS / PF_SMEM_BYTES as MatMulKernels.cs computes them.
smem() {
    python3 - "$@" <<'PY'
import sys
kind, mode, b, ta, tb = sys.argv[1], *map(int, sys.argv[2:])
if kind == "tf32":
    BM = BN = 128; BK = 16
    a = BK * (BM + 8) if ta else BM * (BK + 4); bb = BN * (BK + 4) if tb else BK * (BN + 8)
    print(f"PF_THREADS=256 PF_SMEM_BYTES={3 * (a + bb) * 4}"); sys.exit()
if kind == "mma": BM, BN, BK, T = 128, 128, 32, 256
elif mode == 0: BM, BN, BK, T = b, b, 32, (32 if b == 16 else 128)
elif mode == 1: BM, BN, BK, T = b, 128, min(b, 32), 256
else: BM, BN, BK, T = 256, b, min(b, 32), 256
a = BK * (BM + 8) if ta else BM * (BK + 8); bb = BN * (BK + 8) if tb else BK * (BN + 8)
print(f"PF_THREADS={T} PF_SMEM_BYTES={4 * (a + bb) * 2}")
PY
}

if [ "${1:-}" = list ]; then cases | cut -d' ' -f1; exit 0; fi
failed=0
while read -r name family defines; do
    if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
    src="$work/src-$name"
    rm -rf "$src" && mkdir -p "$src"
    cp "$kernels"/*.cu "$kernels"/*.cuh "$src"/
    cp "$here/emu_common.h" "$src/common.cuh"
    cp "$here/emu_mma.h" "$src/mma.cuh"
    sed -i 's/extern __shared__ __align__(16) unsigned char smem\[\];/unsigned char* smem = g_smem_base;/' "$src"/*.cu
    flags=(); for d in $defines; do flags+=("-D$d"); done
    g++ -std=c++20 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -pthread -I"$here" -I"$src" \
        -DFAMILY="$family" "${flags[@]}" "$here/driver.cpp" "$here/emu_rt.cpp" -o "$work/$name"
    if "$work/$name" 2>"$work/$name.log"; then echo "ok   $name"; else echo "FAIL $name (log: $work/$name.log)"; failed=1; fi
done < <(cases)
exit $failed
