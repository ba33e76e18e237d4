#!/usr/bin/python3
"""Does LibTorch's own conv2d lose speed when OpenBLAS is held to one thread?

greentune's configure_threads (nn/runtime.cpp) sets OpenBLAS to one thread so that FastLinear's
GEMMs, split between LibTorch's threads, do not meet a second pool. Convolutions with more than 32
channels still run in LibTorch's conv2d; this times them forward + backward on LibTorch's two
threads with OpenBLAS at one thread and at two, alternating in one process (the same Debian
LibTorch 1.13 build greentune links, through python3-torch), and prints the median of each.
usage: /usr/bin/python3 bench/conv_blas_threads.py
"""
import ctypes
import time

import torch
torch.set_num_threads(2)
blas = None
for name in ("libopenblas.so.0", "libblas.so.3"):
    try:
        lib = ctypes.CDLL(name)
        if hasattr(lib, "openblas_set_num_threads"):
            blas = lib; break
    except OSError:
        pass
if blas is None:
    raise SystemExit("conv_blas_threads: no OpenBLAS (openblas_set_num_threads) in this process")
config = torch.__config__.show()
print(f"torch {torch.__version__}, oneDNN (MKLDNN) {'USE_MKLDNN=ON' in config}")
torch.manual_seed(1)


def step(conv, x, up):
    out = conv(x)
    out.backward(up)



shapes = [(64, 64, 7), (32, 64, 14), (64, 128, 7)]
for cin, cout, side in shapes:
    conv = torch.nn.Conv2d(cin, cout, 3, padding=1)
    x = torch.randn(128, cin, side, side, requires_grad=True)
    up = torch.randn(128, cout, side, side)
    res = {1: [], 2: []}
    for rep in range(6):
        for t in ((1, 2) if rep % 2 == 0 else (2, 1)):
            blas.openblas_set_num_threads(t)
            step(conv, x, up)
            t0 = time.perf_counter()
            for _ in range(10): step(conv, x, up)
            res[t].append((time.perf_counter() - t0) / 10)
    med = {t: sorted(v)[len(v)//2] for t, v in res.items()}
    print(f"conv {cin}->{cout} {side}x{side} batch 128, torch 2 threads: openblas 1 thread {med[1]*1e3:.2f} ms, 2 threads {med[2]*1e3:.2f} ms, ratio {med[1]/med[2]:.2f}")
