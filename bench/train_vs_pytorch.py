#!/usr/bin/python3
"""The paper's SimpleCNN (or DensePoly) trained on FashionMNIST with PyTorch from Python, written the
way a Python user writes it, for bench/train_vs_pytorch.sh (CPU) and bench/gpu-check.sh (CUDA) to
compare with `greentune train`.

Default settings (--loader dataloader): the images as a float tensor scaled /255 (what ToTensor()
gives; torchvision is not installed here), a TensorDataset, and DataLoader(batch_size=512,
shuffle=True) with its defaults (no workers, default collate). --loader tensors instead slices a
randperm of the in-memory tensors, the fastest plain-Python loop, for reference.

--device cuda: the whole data set is put on the GPU once (before any clock starts) and sliced there
(--loader tensors is implied); the loss is summed on the GPU and read once per epoch, as a Python
user who knows that `.item()` waits for the GPU writes it; the clock reads follow
torch.cuda.synchronize(). --cudnn-benchmark turns cuDNN's autotuner on (off by default in PyTorch).

Prints one JSON line: epoch seconds (the training loop only), test accuracy, threads, model, device.
"""
import argparse
import gzip
import json
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def simple_cnn():
    # As in the paper's notebook (LazyConv2d/LazyLinear resolved for 1x28x28 inputs).
    return nn.Sequential(
        nn.Conv2d(1, 3, kernel_size=3, stride=1, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(3, 9, kernel_size=3, stride=1, padding=1), nn.BatchNorm2d(9), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(start_dim=1),
        nn.Linear(441, 392), nn.Linear(392, 196), nn.Linear(196, 10))


def dense_poly(features=784, linear=3, classes=10):
    # The paper's DensePolyNN: widths halve (784 -> 392 -> 196), no activation between them.
    layers, width = [nn.Flatten(start_dim=1)], features
    for k in range(linear - 1):
        layers.append(nn.Linear(width, features // 2 ** (k + 1)))
        width = features // 2 ** (k + 1)
    layers.append(nn.Linear(width, classes))
    return nn.Sequential(*layers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--loader", choices=["dataloader", "tensors"], default="dataloader")
    parser.add_argument("--model", choices=["simplecnn", "densepoly"], default="simplecnn")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--cudnn-benchmark", action="store_true")
    args = parser.parse_args()
    cuda = args.device == "cuda"
    if cuda and not torch.cuda.is_available():
        raise SystemExit("train_vs_pytorch: --device cuda, but torch sees no CUDA GPU")
    if cuda:
        args.loader = "tensors"
        torch.backends.cudnn.benchmark = args.cudnn_benchmark
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if cuda else (lambda: None)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_x = torch.from_numpy(read_idx(f"{args.data_dir}/train-images-idx3-ubyte.gz").copy())
    train_x = train_x.unsqueeze(1).float().div(255)
    train_y = torch.from_numpy(read_idx(f"{args.data_dir}/train-labels-idx1-ubyte.gz").copy()).long()
    test_x = torch.from_numpy(read_idx(f"{args.data_dir}/t10k-images-idx3-ubyte.gz").copy())
    test_x = test_x.unsqueeze(1).float().div(255)
    test_y = torch.from_numpy(read_idx(f"{args.data_dir}/t10k-labels-idx1-ubyte.gz").copy()).long()

    train_x, train_y = train_x.to(device), train_y.to(device)
    test_x, test_y = test_x.to(device), test_y.to(device)
    model = (simple_cnn() if args.model == "simplecnn" else dense_poly()).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train_x, train_y),
                                         batch_size=args.batch_size, shuffle=True)

    epoch_seconds = []
    for _ in range(args.epochs):
        model.train()
        sync()
        start = time.perf_counter()
        if args.loader == "dataloader":
            batches = loader
        else:
            order = torch.randperm(len(train_x), device=device)
            batches = ((train_x[order[i:i + args.batch_size]], train_y[order[i:i + args.batch_size]])
                       for i in range(0, len(train_x), args.batch_size))
        loss_sum = torch.zeros((), device=device)
        for x, y in batches:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            if cuda:
                loss_sum += loss.detach()
            else:
                loss.item()  # what a training loop logs; also what greentune checks for divergence
            loss.backward()
            optimizer.step()
        if cuda:
            loss_sum.item()
        sync()
        epoch_seconds.append(time.perf_counter() - start)

    model.eval()
    with torch.no_grad():
        accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
    print(json.dumps({"epoch_seconds": epoch_seconds, "test_accuracy": accuracy,
                      "threads": torch.get_num_threads(), "loader": args.loader,
                      "model": args.model, "device": args.device,
                      "cudnn_benchmark": torch.backends.cudnn.benchmark,
                      "gpu": torch.cuda.get_device_name(0) if cuda else None,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
