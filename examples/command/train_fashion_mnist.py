#!/usr/bin/python3
"""Trains a small network on FashionMNIST and prints one JSON report line per epoch.

A program for greentune's command objective (see study.toml beside it and docs/tuning.md): it
takes its hyperparameters as arguments, prints {"epoch": e, "accuracy": a, "loss": l} after each
epoch on stdout (anything else may go to stderr or stdout freely), and saves its model in
$GREENTUNE_TRIAL_DIR when greentune runs it. It runs on its own just as well:

    python3 train_fashion_mnist.py --lr 0.01 --epochs 2 --subset 2000

Needs Debian's python3-torch and the FashionMNIST IDX files (dataset-fashion-mnist, or --data-dir).
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import torch
from torch import nn

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path, limit=0):
    """An IDX file (gzipped or not) as a uint8 tensor; only its first `limit` items when given."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        zero, kind, dims = struct.unpack(">HBB", f.read(4))
        if zero != 0 or kind != 0x08:
            raise SystemExit(f"{path}: not an IDX file of unsigned bytes")
        shape = list(struct.unpack(">" + "I" * dims, f.read(4 * dims)))
        if limit:
            shape[0] = min(shape[0], limit)
        item = 1
        for d in shape[1:]:
            item *= d
        data = f.read(shape[0] * item)  # a subset decompresses only what it uses
    if len(data) != shape[0] * item:
        raise SystemExit(f"{path}: truncated")
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).reshape(shape)


def find(data_dir, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            return path
    raise SystemExit(f"{data_dir}: no {stem}[.gz]; install dataset-fashion-mnist or give --data-dir")


def load(data_dir, split, limit):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(find(data_dir, f"{prefix}-images-idx3-ubyte"), limit)
    labels = read_idx(find(data_dir, f"{prefix}-labels-idx1-ubyte"), limit)
    return images.float().div_(255).reshape(len(images), -1), labels.long()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=128, help="units of the hidden layer")
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--subset", type=int, default=0,
                        help="train on the first N images (validate on N/4 test images); 0: all")
    parser.add_argument("--data-dir", default=os.environ.get("FASHION_MNIST_DIR", DEFAULT_DATA))
    parser.add_argument("--threads", type=int, default=0, help="torch threads; 0: torch's default")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    x_train, y_train = load(args.data_dir, "train", args.subset)
    x_val, y_val = load(args.data_dir, "test", max(args.subset // 4, 100) if args.subset else 0)

    model = nn.Sequential(nn.Linear(784, args.hidden), nn.ReLU(), nn.Dropout(args.dropout),
                          nn.Linear(args.hidden, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    started = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_train))
        total = 0.0
        for start in range(0, len(order), args.batch_size):
            batch = order[start:start + args.batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        model.eval()
        with torch.no_grad():
            accuracy = (model(x_val).argmax(1) == y_val).float().mean().item()
        # The report line greentune reads (a NaN loss prints as NaN, which it reads too).
        print(json.dumps({"epoch": epoch, "accuracy": accuracy, "loss": total / len(order)}),
              flush=True)
        print(f"epoch {epoch}: {time.time() - started:.1f} s", file=sys.stderr)

    trial_dir = os.environ.get("GREENTUNE_TRIAL_DIR")
    if trial_dir:
        torch.save(model.state_dict(), os.path.join(trial_dir, "model.pt"))


if __name__ == "__main__":
    main()
