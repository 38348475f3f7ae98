"""Writes a tiny CIFAR-10 folder in the python-version layout (pickled dicts with a uint8 numpy
'data' array of N×3072 and a 'labels' list, protocol 2 with bytes keys, as a Python 3 re-pickle of
the official batches looks). Pixel bytes follow a formula the C# test recomputes. Run with
Debian's python3 (numpy): /usr/bin/python3 make_cifar_python.py"""
import os
import pickle

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RECORDS = 2


def pixel(batch, record, index):
    return (batch * 31 + record * 17 + index * 7) % 256


def write(name, batch):
    data = np.array([[pixel(batch, r, i) for i in range(3072)] for r in range(RECORDS)], dtype=np.uint8)
    labels = [(batch + r) % 10 for r in range(RECORDS)]
    content = {b"batch_label": f"batch {batch}".encode(), b"labels": labels, b"data": data, b"filenames": [b"a.png", b"b.png"]}
    with open(os.path.join(HERE, name), "wb") as f:
        pickle.dump(content, f, protocol=2)


for b in range(1, 6):
    write(f"data_batch_{b}", b)
write("test_batch", 0)
