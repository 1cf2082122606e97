#!/usr/bin/env python3
"""Runs torch_baselines.py's GPU code paths against a mocked `torch`, on a machine without PyTorch or a GPU.

It checks the script's own plumbing, not torch's numbers: every case of the case file gets a cuBLAS entry and every
block-sparse case a torch-bsr entry, names and calls resolve (no NameError/AttributeError in our code), the first
BSR candidate that raises falls through to the next, and the JSON written has the shape the harness reads.
  python3 scripts/gpu/mock_torch_check.py CASES.jsonl OUT.json
Exit code 0 when the file came out as expected; `pixelfly bench --compare X --baselines OUT.json` then reads it.
"""

import json
import os
import sys
from unittest import mock

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the work tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_baselines  # noqa: E402 - after the path is set


def fake_torch():
    torch = mock.MagicMock(name="torch")
    torch.__version__ = "0.0-mock"
    torch.version.cuda = "mock"
    torch.cuda.is_available.return_value = True
    torch.cuda.Event.return_value.elapsed_time.return_value = 1.25
    torch.cuda.get_device_properties.return_value.name = "Mock GPU"
    torch.cuda.get_device_properties.return_value.multi_processor_count = 132
    torch.strided = "strided"
    # The public BSR matmul raises (as torch does where it has no kernel): the Triton fallback must then be timed.
    calls = {"matmul": 0}
    bsr_tensors = []  # kept alive, so their ids stay unique

    def matmul(a, b):
        calls["matmul"] += 1
        if any(a is t for t in bsr_tensors):
            raise RuntimeError("mock: no BSR kernel for bfloat16")
        return mock.MagicMock(name="product")

    torch.matmul.side_effect = matmul

    def to_sparse_bsr(_self, blocksize):
        bsr = mock.MagicMock(name=f"bsr{blocksize}")
        bsr_tensors.append(bsr)
        return bsr

    # Every tensor the mock makes is a MagicMock whose to_sparse_bsr gives a "BSR" tensor.
    mock.MagicMock.to_sparse_bsr = to_sparse_bsr
    return torch, calls


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    cases_path, out = argv
    torch, calls = fake_torch()
    # The relative error of a mock is a mock: read it as a small number, so the timing path runs too.
    torch_baselines.float = lambda _x: 1e-3
    with mock.patch.dict(sys.modules, {"torch": torch}):
        rc = torch_baselines.main(["--cases", cases_path, "--out", out, "--warmup", "1", "--runs", "3"])
    if rc != 0:
        print(f"mock check: exit code {rc}", file=sys.stderr)
        return 1
    doc = json.load(open(out, encoding="utf-8"))
    cases = torch_baselines.read_cases(cases_path)
    problems = []
    if doc.get("available") is not True:
        problems.append(f"available is {doc.get('available')!r}")
    by = {(r["case"], r["baseline"]): r for r in doc["results"]}
    for c in cases:
        if c["shape"] is not None and (c["id"], "cublas") not in by:
            problems.append(f"no cublas entry for {c['id']}")
        if c["layout"] is not None and (c["id"], "torch-bsr") not in by:
            problems.append(f"no torch-bsr entry for {c['id']}")
    for r in doc["results"]:
        if r["status"] == "error":
            problems.append(f"{r['case']} {r['baseline']}: error: {r['reason']}")
        fallback = r["baseline"] == "torch-bsr" and "/dw/" not in r["case"]  # Dds: the public call raises here
        if fallback and r["status"] == "ok" and "_triton_ops" not in r["description"]:
            problems.append(f"{r['case']}: BSR should have fallen through to torch.sparse._triton_ops: {r['description']}")
    if calls["matmul"] == 0:
        problems.append("torch.matmul was never called")
    for p in problems:
        print("mock check: " + p, file=sys.stderr)
    print(f"mock check: {len(doc['results'])} entries, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
