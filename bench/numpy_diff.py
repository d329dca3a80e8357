"""The baseline of bench_diff: two safetensors checkpoints compared tensor by tensor in numpy.

Run with Debian's /usr/bin/python3 (its python3-numpy):

    numpy_diff.py A.safetensors B.safetensors

For each tensor of A that B has with the same shape, one pair at a time, as float32: the
relative distance |A - B| / |A|, the cosine <A, B> / (|A| |B|) and max |A - B|, with
sculpt's conventions for a zero A. Prints JSON: {"seconds": the loop alone (neither
start-up nor importing numpy counts), "tensors": {name: [distance, cosine, max]}}.
"""

import json
import struct
import sys
import time

import numpy as np


def header(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        entries = json.loads(f.read(length))
    entries.pop("__metadata__", None)
    return 8 + length, entries


def read(path, start, entry):
    # A map of this tensor only, dropped with the temporary: one pair is resident at a time.
    if entry["dtype"] != "F16":
        sys.exit(f"numpy_diff.py: {path}: {entry['dtype']}, only F16 is read")
    begin = entry["data_offsets"][0]
    return np.memmap(path, dtype="<f2", mode="r", offset=start + begin,
                     shape=tuple(entry["shape"])).astype(np.float32).ravel()


def total(products):
    # np.sum's pairwise summation, not np.dot: OpenBLAS's sdot accumulates in float32 and
    # is off by ~1e-3 on an embedding's 65M elements.
    return float(np.sum(products))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: numpy_diff.py A.safetensors B.safetensors")
    path_a, path_b = sys.argv[1:]
    start = time.perf_counter()
    start_a, entries_a = header(path_a)
    start_b, entries_b = header(path_b)
    out = {}
    for name, entry in entries_a.items():
        other = entries_b.get(name)
        if other is None or other["shape"] != entry["shape"]:
            continue
        a, b = read(path_a, start_a, entry), read(path_b, start_b, other)
        d = a - b
        aa, bb, ab, dd = total(a * a), total(b * b), total(a * b), total(d * d)
        del a, b  # before np.abs(d)'s temporary: four arrays at most, as for the products
        distance = (dd / aa if aa > 0 else dd) ** 0.5
        cosine = ab / (aa * bb) ** 0.5 if aa > 0 and bb > 0 else float(aa == 0 and bb == 0)
        out[name] = [distance, cosine, float(np.abs(d).max())]
    seconds = time.perf_counter() - start
    json.dump({"seconds": seconds, "tensors": out}, sys.stdout)


if __name__ == "__main__":
    main()
