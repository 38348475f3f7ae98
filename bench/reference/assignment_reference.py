"""scipy's linear_sum_assignment on a cost matrix the bench wrote (float64, row-major, little-endian).

Writes the optimal total, the assignment and the times of repeated solves as JSON.
"""
import argparse
import json
import time

import numpy as np
from scipy.optimize import linear_sum_assignment


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--costs", required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    costs = np.fromfile(args.costs, dtype="<f8").reshape(args.n, args.n)
    seconds = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        rows, columns = linear_sum_assignment(costs, maximize=True)
        seconds.append(time.perf_counter() - start)
    total = float(sum(costs[r, c] for r, c in zip(rows, columns)))
    with open(args.out, "w") as f:
        json.dump({"total": total, "column_of_row": [int(c) for c in columns], "seconds": seconds}, f)


if __name__ == "__main__":
    main()
