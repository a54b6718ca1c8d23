#!/usr/bin/env python3
"""Writes the small Fashion-MNIST subset shipped in examples/data from Debian's dataset-fashion-mnist.

Takes the first TRAIN rows of the training split and the first TEST rows of the test split, in the
original IDX format (gzip), so the quickstart runs with no download. Re-run to regenerate:
    apt-get install dataset-fashion-mnist && python3 build/make-fashion-mnist-subset.py
"""
import gzip, os, struct, sys

SRC = "/usr/share/datasets/fashion-mnist"
DST = os.path.join(os.path.dirname(__file__), "..", "examples", "data", "fashion-mnist-small")
TRAIN, TEST = 4000, 1000

def subset(name, rows):
    with gzip.open(os.path.join(SRC, name), "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * (dims - 1), data[8:4 * (dims + 1)])
    row = 1
    for s in shape:
        row *= s
    header = struct.pack(">II", magic, rows) + data[8:4 * (dims + 1)]
    body = data[4 * (dims + 1):4 * (dims + 1) + rows * row]
    # mtime=0 keeps the output byte-identical between runs
    with gzip.GzipFile(os.path.join(DST, name), "wb", mtime=0) as out:
        out.write(header + body)

os.makedirs(DST, exist_ok=True)
subset("train-images-idx3-ubyte.gz", TRAIN)
subset("train-labels-idx1-ubyte.gz", TRAIN)
subset("t10k-images-idx3-ubyte.gz", TEST)
subset("t10k-labels-idx1-ubyte.gz", TEST)
print("wrote", DST, file=sys.stderr)
