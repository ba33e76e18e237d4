#!/usr/bin/env bash
# Side by side: getting FashionMNIST into memory with a 10 % validation split, greentune
# (`greentune data show`, which times load_split itself) against the dataset's own reference loader
# in Python (gzip + numpy.frombuffer, as in fashion-mnist's utils/mnist_reader.py, plus a seeded
# permutation for the split), run alternately. Prints each side's median seconds of the load alone.
# usage: bench/data_load_vs_python.sh [path/to/greentune] [runs]
set -euo pipefail
cli=${1:-build/greentune}
runs=${2:-7}
dir=/usr/share/datasets/fashion-mnist
[[ -e $dir/train-images-idx3-ubyte.gz ]] || { echo "needs $dir (dataset-fashion-mnist)" >&2; exit 2; }

python_load='
import gzip, sys, time
import numpy as np
d = sys.argv[1]
def read(kind):
    with gzip.open(f"{d}/{kind}-labels-idx1-ubyte.gz", "rb") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    with gzip.open(f"{d}/{kind}-images-idx3-ubyte.gz", "rb") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(len(labels), 1, 28, 28)
    return images, labels
start = time.perf_counter()
x, y = read("train")
xt, yt = read("t10k")
order = np.random.default_rng(1234).permutation(len(y))
nv = round(0.1 * len(y))
xv, yv = x[order[:nv]], y[order[:nv]]
xtr, ytr = x[np.sort(order[nv:])], y[np.sort(order[nv:])]
print(f"{time.perf_counter() - start:.4f}")
'

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
g=() p=()
for ((i = 0; i < runs; i++)); do
  g+=("$("$cli" data show fashion-mnist --data-dir "$dir" | awk '/loaded and split in/ {print $5}')")
  p+=("$(/usr/bin/python3 -c "$python_load" "$dir")")
done
gm=$(printf '%s\n' "${g[@]}" | median)
pm=$(printf '%s\n' "${p[@]}" | median)
echo "greentune load_split: median ${gm} s   (runs: ${g[*]})"
echo "python gzip+numpy:    median ${pm} s   (runs: ${p[*]})"
awk -v g="$gm" -v p="$pm" 'BEGIN {printf "ratio greentune/python: %.2f\n", g / p}'
