"""Writes numpy.linspace reference values (float64, exact decimal repr) for the grid tests.
Run with Debian's python3 (numpy): /usr/bin/python3 make_linspace.py"""
import json
import numpy as np

cases = [(-1.0, 1.0, 51), (-1.0, 1.0, 11), (-0.5, 1.5, 401), (-0.5, 0.5, 21), (0.0, 1.0, 7), (-3.0, 2.0, 2), (1.5, 1.5, 5)]
out = [{"start": a, "stop": b, "num": n, "values": [float(v).hex() for v in np.linspace(a, b, n)]} for a, b, n in cases]
with open("linspace.json", "w") as f:
    json.dump(out, f, indent=1)
