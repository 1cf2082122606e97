#!/usr/bin/env python3
"""Times PyTorch baselines for Pixelfly perf cases on the GPU (issue 6's gpu-headline goals).

For each case of a perf case file (`pixelfly bench --suite gpu-headline --export-cases cases.jsonl`):
  cublas     dense torch.matmul in the case's dtype at its dense shape, same storage and transposes as ours
             (A stored K x M and used as A.t() when transA, B stored N x K used as B.t() when transB): cuBLAS.
  torch-bsr  torch's block-sparse (BSR) matmul on the case's own layout (read from the case's graph):
             forward  Y = X W^T   as  (W_bsr @ X^T)^T          W as BSR with blocksize (b, b)
             dx       dX = dY W   as  (Wt_bsr @ dY^T)^T        Wt = W^T as BSR
             dw       dW = dY^T X on the layout: torch.sparse.sampled_addmm on a BSR mask, where it exists.
             Dense operands are handed over already transposed and contiguous (not timed): the baseline gets its
             best layout, so the comparison errs in its favour.
Timing: CUDA events around each call, after warm-up; median, min, max of --runs calls. Inputs are random normal
(never zeros). Writes JSON ("pixelfly.external-baselines" v1, read by `pixelfly bench --compare A.json --baselines`).
Without PyTorch or a GPU it still writes the file, with "available": false and the reason, and exits 0.
"""

import argparse
import json
import math
import statistics
import sys
import time

FORMAT = "pixelfly.external-baselines"
VERSION = 1


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", required=True, help="perf case file (JSON lines) from `pixelfly bench --export-cases`")
    p.add_argument("--out", required=True, help="where to write the baselines JSON")
    p.add_argument("--warmup", type=int, default=5, help="untimed calls before timing (default 5)")
    p.add_argument("--runs", type=int, default=20, help="timed calls; the median is reported (default 20)")
    p.add_argument("--budget-s", type=float, default=240.0,
                   help="stop starting new measurements after this many seconds; the rest are 'skipped' (default 240)")
    p.add_argument("--no-bsr", action="store_true", help="time cuBLAS only")
    args = p.parse_args(argv)
    if args.warmup < 0 or args.runs < 1:
        p.error("--warmup must be >= 0 and --runs >= 1")
    return args


def read_cases(path):
    """The cases as dicts: id, kind, dtype, dense shape, block size and the block-sparse layout (or None)."""
    cases = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            o = json.loads(line)
            if o.get("format") != "pixelfly.perf-case":
                raise ValueError(f"{path} line {number}: not a perf case (format {o.get('format')!r})")
            graph = o["program"]["graph"]
            values = graph["inputs"] + graph["parameters"]
            layout = None
            for node in graph["nodes"]:
                if node["op"] == "block_sparse_matmul":
                    layout = node["layout"]
                    layout["mode"] = node["mode"]
                    layout["transA"] = node.get("transA", False)
                    layout["transB"] = node.get("transB", False)
            cases.append({
                "id": o["id"],
                "kind": o["kind"],
                "dtype": values[0]["dtype"],
                "shape": o.get("denseShape"),
                "block": o.get("blockSize"),
                "layout": layout,
            })
    if not cases:
        raise ValueError(f"{path}: no cases")
    return cases


def unavailable(out, reason):
    write(out, {"format": FORMAT, "version": VERSION, "available": False, "reason": reason,
                "source": "", "device": "", "method": "", "results": []})
    print(f"torch baselines skipped: {reason}", flush=True)


def write(out, doc):
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def entry(case_id, baseline, description, times=None, status="ok", reason=None):
    e = {"case": case_id, "baseline": baseline, "status": status, "description": description}
    if status == "ok":
        e.update({"medianMs": statistics.median(times), "minMs": min(times), "maxMs": max(times), "runs": len(times)})
    else:
        e["reason"] = reason
    return e


def report(e):
    what = f"{e['medianMs']:.4f} ms" if e["status"] == "ok" else f"{e['status']}: {e['reason']}"
    print(f"{e['case']}: {e['baseline']} {what}", flush=True)


def main(argv):
    args = parse_args(argv)
    cases = read_cases(args.cases)
    try:
        import torch
    except ImportError as e:
        unavailable(args.out, f"PyTorch is not installed here ({e})")
        return 0
    if not torch.cuda.is_available():
        unavailable(args.out, f"torch {torch.__version__} sees no CUDA device")
        return 0

    dev = torch.device("cuda:0")
    dtypes = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32}
    start = time.monotonic()
    gen = torch.Generator(device=dev)
    gen.manual_seed(20260406)

    def rand(*shape, dtype):
        # Random normal, scaled so bf16 products stay far from overflow; never zeros (they run faster).
        return (torch.randn(*shape, generator=gen, device=dev, dtype=torch.float32) * 0.5).to(dtype)

    def timed(fn):
        for _ in range(args.warmup):
            fn()
        torch.cuda.synchronize()
        times = []
        for _ in range(args.runs):
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record()
            fn()
            b.record()
            b.synchronize()
            times.append(a.elapsed_time(b))
        return times

    def over_budget():
        return time.monotonic() - start > args.budget_s

    results = []
    # cuBLAS first, for every case (cheap: one measurement per distinct dense shape); then torch BSR, which may
    # compile Triton kernels, so that a spent time budget costs BSR numbers only.
    dense_cache = {}  # (m, n, k, transA, transB, dtype) -> entry, shared by the cases with that dense shape
    for case in cases:
        cid, dtype_name, shape = case["id"], case["dtype"], case["shape"]
        if shape is None:
            continue
        m, n, k, ta, tb = shape["m"], shape["n"], shape["k"], shape.get("transA", False), shape.get("transB", False)
        desc = f"torch.matmul {dtype_name} {m}x{n}x{k}{' tA' if ta else ''}{' tB' if tb else ''} (cuBLAS), f32 accumulation"
        dtype = dtypes.get(dtype_name)
        key = (m, n, k, ta, tb, dtype_name)
        if dtype is None:
            dense_cache[key] = entry(cid, "cublas", desc, status="skipped", reason=f"dtype {dtype_name} is not timed here")
        elif key not in dense_cache:
            if over_budget():
                dense_cache[key] = entry(cid, "cublas", desc, status="skipped", reason=f"time budget of {args.budget_s:g} s spent")
            else:
                try:
                    a = rand(*((k, m) if ta else (m, k)), dtype=dtype)
                    b = rand(*((n, k) if tb else (k, n)), dtype=dtype)
                    opa, opb = (a.t() if ta else a), (b.t() if tb else b)  # views: cuBLAS gets the transposes
                    dense_cache[key] = entry(cid, "cublas", desc, timed(lambda: torch.matmul(opa, opb)))
                    del a, b, opa, opb
                except Exception as e:  # noqa: BLE001 - reported, the next case still runs
                    dense_cache[key] = entry(cid, "cublas", desc, status="error", reason=f"{type(e).__name__}: {e}")
                torch.cuda.empty_cache()
        results.append(dict(dense_cache[key], case=cid))
        report(results[-1])
    if not args.no_bsr:
        for case in cases:
            if case["layout"] is None:
                continue
            dtype = dtypes.get(case["dtype"])
            if dtype is None:
                results.append(entry(case["id"], "torch-bsr", "", status="skipped", reason=f"dtype {case['dtype']} is not timed here"))
            else:
                results.append(bsr_baseline(torch, case, dtype, rand, timed, over_budget, args.budget_s))
            torch.cuda.empty_cache()
            report(results[-1])

    props = torch.cuda.get_device_properties(dev)
    write(args.out, {
        "format": FORMAT, "version": VERSION, "available": True, "reason": None,
        "source": f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuBLAS through torch.matmul",
        "device": f"{props.name} ({props.multi_processor_count} SMs)",
        "method": f"CUDA events around each call, {args.warmup} warm-up call(s), median of {args.runs}",
        "results": results,
    })
    print(f"torch baselines: {len(results)} timing(s) in {time.monotonic() - start:.1f} s -> {args.out}", flush=True)
    return 0


def bsr_baseline(torch, case, dtype, rand, timed, over_budget, budget_s):
    """torch's BSR matmul on the case's layout, checked against the dense product of the same masked matrix."""
    cid, lay = case["id"], case["layout"]
    rows, cols, b = lay["rows"], lay["cols"], lay["block"]
    mode, kind = lay["mode"], case["kind"]
    desc = f"torch BSR ({kind}: {mode}) blocksize {b}, {case['dtype']}"
    if (kind, mode) not in (("forward", "dds"), ("dx", "dds"), ("dw", "sdd")) or case["shape"] is None:
        # A whole layer or training step holds several matmuls: no single BSR call is its counterpart.
        return entry(cid, "torch-bsr", desc, status="skipped", reason=f"no single BSR matmul for a {kind} case")
    tokens = case["shape"]["m"] if kind in ("forward", "dx") else case["shape"]["k"]
    if over_budget():
        return entry(cid, "torch-bsr", desc, status="skipped", reason=f"time budget of {budget_s:g} s spent")
    try:
        # The layout's blocks as (block-row, block-col) index pairs, in block-CSR order.
        row_ptr, col_idx = lay["rowPtr"], lay["colIdx"]
        block_rows = torch.repeat_interleave(torch.arange(rows // b), torch.diff(torch.tensor(row_ptr)))
        block_cols = torch.tensor(col_idx)
        block_rows, block_cols = block_rows.cuda(), block_cols.cuda()
        blocks = torch.zeros(rows // b, cols // b, b, b, device="cuda", dtype=dtype)
        blocks[block_rows, block_cols] = rand(len(col_idx), b, b, dtype=dtype)
        w = blocks.permute(0, 2, 1, 3).reshape(rows, cols).contiguous()  # W (rows x cols), zero outside the layout
        stored = torch.zeros(rows // b, cols // b, device="cuda", dtype=torch.bool)
        stored[block_rows, block_cols] = True
        del blocks
        # Candidates, public API first; torch's own Triton kernels (torch.sparse._triton_ops) where the public call has
        # no kernel for this dtype/layout. The first one that runs is timed.
        triton_ops = getattr(torch.sparse, "_triton_ops", None)
        if kind == "forward" and mode == "dds":
            x_t = rand(cols, tokens, dtype=dtype)          # X^T, contiguous
            sparse = w.to_sparse_bsr((b, b))
            candidates = [("bsr @ strided", lambda: torch.matmul(sparse, x_t)),          # (W X^T) = Y^T
                          ("_triton_ops.bsr_dense_mm", lambda: triton_ops.bsr_dense_mm(sparse, x_t))]
            ref = lambda: torch.matmul(w, x_t)
        elif kind == "dx" and mode == "dds":
            dy_t = rand(rows, tokens, dtype=dtype)         # dY^T
            w_t = w.t().contiguous()
            sparse = w_t.to_sparse_bsr((b, b))
            candidates = [("bsr @ strided", lambda: torch.matmul(sparse, dy_t)),         # (W^T dY^T) = dX^T
                          ("_triton_ops.bsr_dense_mm", lambda: triton_ops.bsr_dense_mm(sparse, dy_t))]
            ref = lambda: torch.matmul(w_t, dy_t)
        elif kind == "dw" and mode == "sdd":
            dy_t = rand(rows, tokens, dtype=dtype)         # dY^T
            x = rand(tokens, cols, dtype=dtype)
            mask = w.to_sparse_bsr((b, b))
            candidates = [("torch.sparse.sampled_addmm", lambda: torch.sparse.sampled_addmm(mask, dy_t, x, beta=0.0)),
                          ("_triton_ops.sampled_addmm", lambda: triton_ops.sampled_addmm(mask, dy_t, x, beta=0.0))]
            element_mask = stored.repeat_interleave(b, 0).repeat_interleave(b, 1)
            ref = lambda: torch.matmul(dy_t, x) * element_mask
        else:
            return entry(cid, "torch-bsr", desc, status="skipped", reason=f"no BSR form for kind {kind} mode {mode}")
        got, fn, failures = None, None, []
        for name, candidate in candidates:
            try:
                got = candidate()
                torch.cuda.synchronize()
                fn = candidate
                desc += f" via {name}"
                break
            except (RuntimeError, NotImplementedError, TypeError, AttributeError, ValueError) as e:
                failures.append(f"{name}: {type(e).__name__}: {(str(e).splitlines() or [''])[0][:200]}")
        if fn is None:
            return entry(cid, "torch-bsr", desc, status="skipped", reason="torch has no BSR kernel for this here: " + "; ".join(failures))
        got = got.to_dense() if got.layout != torch.strided else got
        want = ref().float()
        err = float((got.float() - want).norm() / want.norm().clamp_min(1e-30))
        if not math.isfinite(err) or err > 2e-2:
            return entry(cid, "torch-bsr", desc, status="error", reason=f"torch BSR result differs from the dense product: relative error {err:.3g}")
        del got, want
        desc += f", rel. error vs dense {err:.1e}"
        return entry(cid, "torch-bsr", desc, timed(fn))
    except Exception as e:  # noqa: BLE001 - reported, the next case still runs
        return entry(cid, "torch-bsr", desc, status="error", reason=f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
