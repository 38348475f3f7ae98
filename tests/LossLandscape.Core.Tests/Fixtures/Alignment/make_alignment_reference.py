#!/usr/bin/python3
"""A second implementation of weight matching and of the barriers before and after it.

Ainsworth, Hayase and Srinivasa, "Git Re-Basin" (ICLR 2023), Algorithm 1, written here from the
paper for the zoo's Mlp (64 -> 64 -> 32 -> 10, layers.0/2/4, ReLUs between): the hidden units of
layers.0 and layers.2 are the two permutation groups. A group's similarity S[i, j] sums, over every
weight and bias the group touches, the inner product (float64) of the reference's unit i with the target's unit
j, the target's other axes already in the other group's current order. Each sweep visits the groups
in the order LossLandscape draws from the seed (SplitMix64 Fisher-Yates, stream = sweep number from
1); a group's permutation changes only when scipy's linear_sum_assignment finds a strictly larger
total (by more than 1e-12 relative), and sweeps stop when one changes nothing.

Barrier (Entezari et al. 2022): max over t of L(t) - L(0) - t (L(1) - L(0)) along
theta_A + t (theta_B - theta_A), on 11 points of t, before and after aligning theta_B, for the mean
cross-entropy in float32 over the first 256 digits (pixels / 16), batches of 128.

Inputs: mlp_seed1.pt and mlp_seed2.pt (LossLandscape's Mlp trained 15 epochs on the digits with seeds
1 and 2, exported with Export-Checkpoint). Run with Debian's python3-torch (1.13) and python3-scipy;
the output, alignment_reference.json, is committed and this script does not run in CI.
"""

import gzip
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import linear_sum_assignment

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
SEED = 7
SAMPLES = 256
STEPS = 11
MASK = (1 << 64) - 1
GROUPS = [("layers.0", "layers.2"), ("layers.2", "layers.4")]  # (the layer whose outputs, the layer whose inputs)


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def derive_seed(seed, stream):
    _, value = splitmix64((seed & MASK) ^ ((stream * 0xD1B54A32D192ED03) & MASK))
    return value


def permutation(count, seed):
    order, state = list(range(count)), seed & MASK
    for i in range(count - 1, 0, -1):
        state, value = splitmix64(state)
        j = value % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def permuted(state, perms):
    """The target with every group's units in its current order: aligned unit i is target unit perm[i]."""
    out = {k: v.clone() for k, v in state.items()}
    for (outputs, inputs), perm in zip(GROUPS, perms):
        index = torch.tensor(perm)
        out[outputs + ".weight"] = out[outputs + ".weight"][index]
        out[outputs + ".bias"] = out[outputs + ".bias"][index]
        out[inputs + ".weight"] = out[inputs + ".weight"][:, index]
    return out


def similarity(group, a, b, perms):
    outputs, inputs = GROUPS[group]
    others = [p if g != group else list(range(len(p))) for g, p in enumerate(perms)]
    a = {k: v.double() for k, v in a.items()}
    b = {k: v.double() for k, v in permuted(b, others).items()}
    s = a[outputs + ".weight"] @ b[outputs + ".weight"].T
    s += torch.outer(a[outputs + ".bias"], b[outputs + ".bias"])
    s += a[inputs + ".weight"].T @ b[inputs + ".weight"]
    return s.numpy()


def weight_matching(a, b):
    perms = [list(range(a[outputs + ".bias"].numel())) for outputs, _ in GROUPS]
    sweeps = 0
    while sweeps < 100:
        sweeps += 1
        changed = False
        for g in permutation(len(GROUPS), derive_seed(SEED, sweeps)):
            s = similarity(g, a, b, perms)
            current = float(s[np.arange(len(perms[g])), perms[g]].sum())
            rows, cols = linear_sum_assignment(s, maximize=True)
            best = float(s[rows, cols].sum())
            if best > current + 1e-12 * max(1.0, abs(current)):
                perms[g] = [int(c) for c in cols]
                changed = True
        if not changed:
            return perms, sweeps
    raise RuntimeError("weight matching did not converge in 100 sweeps")


def forward(state, x):
    h = F.relu(F.linear(x, state["layers.0.weight"], state["layers.0.bias"]))
    h = F.relu(F.linear(h, state["layers.2.weight"], state["layers.2.bias"]))
    return F.linear(h, state["layers.4.weight"], state["layers.4.bias"])


def mean_loss(state, x, y):
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(y), 128):
            total += F.cross_entropy(forward(state, x[i:i + 128]), y[i:i + 128]).item() * len(y[i:i + 128])
    return total / len(y)


def path(a, b, x, y):
    t = np.linspace(0, 1, STEPS)
    losses = [mean_loss({k: a[k] + float(s) * (b[k] - a[k]) for k in a}, x, y) for s in t]
    rises = [losses[i] - losses[0] - t[i] * (losses[-1] - losses[0]) for i in range(STEPS)]
    best = int(np.argmax(rises))
    return losses, rises[best], float(t[best])


def load_data():
    pixels, labels = [], []
    with gzip.open(os.path.join(ROOT, "src", "LossLandscape.Core", "Data", "Digits", "digits.csv.gz"), "rt") as f:
        for line in f:
            fields = line.strip().split(",")
            pixels.append([int(v) for v in fields[:64]])
            labels.append(int(fields[64]))
            if len(labels) == SAMPLES:
                break
    return pixels, labels


def main():
    torch.set_num_threads(1)
    a = {k: v.float() for k, v in torch.load(os.path.join(HERE, "mlp_seed1.pt")).items()}
    b = {k: v.float() for k, v in torch.load(os.path.join(HERE, "mlp_seed2.pt")).items()}
    pixels, labels = load_data()
    x = torch.tensor(pixels, dtype=torch.float32) / 16
    y = torch.tensor(labels)
    perms, sweeps = weight_matching(a, b)
    aligned = permuted(b, perms)
    before, barrier_before, t_before = path(a, b, x, y)
    after, barrier_after, t_after = path(a, aligned, x, y)
    moved = [sum(1 for i, p in enumerate(perm) if i != p) for perm in perms]
    print(f"sweeps {sweeps}, units moved {moved}; barrier {barrier_before:.6f} (t = {t_before}) before, {barrier_after:.6f} (t = {t_after}) after", flush=True)
    output = {
        "torch": torch.__version__, "seed": SEED, "steps": STEPS, "batch_size": 128,
        "groups": [g for g, _ in GROUPS], "permutations": perms, "sweeps": sweeps,
        "loss_before": before, "barrier_before": barrier_before, "barrier_t_before": t_before,
        "loss_after": after, "barrier_after": barrier_after, "barrier_t_after": t_after,
        "pixels": pixels, "labels": labels,
    }
    with open(os.path.join(HERE, "alignment_reference.json"), "w") as f:
        json.dump(output, f)
        f.write("\n")


if __name__ == "__main__":
    main()
