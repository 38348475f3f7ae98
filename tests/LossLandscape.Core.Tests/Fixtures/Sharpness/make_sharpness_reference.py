#!/usr/bin/python3
"""A second implementation of the sharpness measures, written from their definitions with PyTorch.

Andriushchenko et al., "A Modern Look at the Relationship between Sharpness and Generalization"
(ICML 2023), adaptive sharpness of a loss L at weights w, per batch of m samples and averaged over
consecutive batches with the batches' sizes as weights (m-sharpness):

  average case  E[L(w + d)] - L(w),   d ~ N(0, rho^2 diag(w^2))
  worst case    max L(w + d) - L(w)  over ||d / |w|||_p <= rho, p = 2 or inf
Keskar et al. (2017):
  100 (max L(w + y) - L(w)) / (1 + L(w))  over |y_i| <= eps (|w_i| + 1)

The maximum is sought with the ascent stated in LossLandscape's help (Get-LandscapeSharpness):
projected gradient ascent, Auto-PGD momentum 0.75, step 2 rho (l_inf: per coordinate 2 rho s_i; l2:
a step of length 2 rho rms(s) along g/||g||), halved at the Auto-PGD checkpoints when progress stalls,
restarting from the best point. Projections: clipping (box), and the Euclidean projection onto the
ellipsoid {d : ||d / s||_2 <= r}, d_i = x_i s_i^2 / (s_i^2 + lambda), lambda by bisection.

Everything runs in float64 on the fixture DigitsCnn (../Formats/digits_plain.pt, eval mode) and the
first 64 images of the built-in digits file, which are written into the output so both sides read the
same samples. Run with Debian's python3-torch (1.13); the output, sharpness_reference.json, is
committed and this script does not run in CI.
"""

import gzip
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
SAMPLES = 64
ITERATIONS = 20
MOMENTUM = 0.75


class DigitsCnn(nn.Module):
    """The zoo's DigitsCnn, as Formats/make_fixtures.py writes it."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(32)
        self.linear = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.max_pool2d(F.relu(self.bn3(self.conv3(x))), 2)
        return self.linear(x.flatten(1))


def load_data():
    path = os.path.join(ROOT, "src", "LossLandscape.Core", "Data", "Digits", "digits.csv.gz")
    pixels, labels = [], []
    with gzip.open(path, "rt") as f:
        for line in f:
            fields = line.strip().split(",")
            pixels.append([int(v) for v in fields[:64]])
            labels.append(int(fields[64]))
            if len(labels) == SAMPLES:
                break
    return pixels, labels


class Objective:
    """The mean cross-entropy of consecutive batches of m samples as a function of all parameters."""

    def __init__(self, model, x, y, m):
        self.model = model
        self.params = list(model.parameters())
        self.origin = [p.detach().clone() for p in self.params]
        self.batches = [(x[i:i + m], y[i:i + m]) for i in range(0, len(y), m)]
        self.n = len(y)

    def place(self, delta):
        with torch.no_grad():
            for p, w, d in zip(self.params, self.origin, delta):
                p.copy_(w + d)

    def loss(self, b):
        x, y = self.batches[b]
        with torch.no_grad():
            return F.cross_entropy(self.model(x), y).item()

    def loss_and_grad(self, b):
        x, y = self.batches[b]
        loss = F.cross_entropy(self.model(x), y)
        grads = torch.autograd.grad(loss, self.params)
        return loss.item(), [g.detach() for g in grads]

    def weight(self, b):
        return len(self.batches[b][1]) / self.n


def checkpoints(k):
    fractions, points = [0.0, 0.22], [0, math.ceil(0.22 * k)]
    while points[-1] < k and points[-1] != points[-2]:
        fractions.append(fractions[-1] + max(fractions[-1] - fractions[-2] - 0.03, 0.06))
        points.append(math.ceil(fractions[-1] * k))
    return set(points[1:])


def project_ellipsoid(x, s, r):
    active = [si > 0 for si in s]
    x = [torch.where(a, xi, torch.zeros_like(xi)) for xi, a in zip(x, active)]
    u2 = sum(torch.where(a, xi / si, torch.zeros_like(xi)).pow(2).sum().item() for xi, si, a in zip(x, s, active))
    if u2 <= r * r:
        return x
    weighted = [xi * si for xi, si in zip(x, s)]
    squared = [si * si for si in s]
    low, high = 0.0, math.sqrt(sum(wi.pow(2).sum().item() for wi in weighted)) / r
    for _ in range(200):
        if not high - low > 1e-15 * high:
            break
        middle = 0.5 * (low + high)
        norm = sum((wi / (qi + middle)).pow(2).sum().item() for wi, qi in zip(weighted, squared))
        if norm > r * r:
            low = middle
        else:
            high = middle
    return [xi * qi / (qi + high) for xi, qi in zip(x, squared)]


def project(x, s, r, norm):
    if norm == "L2":
        return project_ellipsoid(x, s, r)
    return [torch.max(torch.min(xi, r * si), -r * si) for xi, si in zip(x, s)]


def ascend(obj, b, s, r, norm, iterations):
    """One ascent from d = 0; the largest loss seen."""
    marks = checkpoints(iterations)
    delta = [torch.zeros_like(w) for w in obj.origin]
    obj.place(delta)
    best, grad = obj.loss_and_grad(b)
    previous = [d.clone() for d in delta]
    best_delta, best_grad = [d.clone() for d in delta], [g.clone() for g in grad]
    if norm == "L2":
        active = sum(int((si > 0).sum().item()) for si in s)
        step = 2 * r * math.sqrt(sum(si.pow(2).sum().item() for si in s) / max(1, active))
    else:
        step = 2 * r
    updates, last, step_at_mark, best_at_mark = 0, 0, step, best
    for i in range(1, iterations + 1):
        if norm == "L2":
            moving = [torch.where(si > 0, g, torch.zeros_like(g)) for g, si in zip(grad, s)]
            length = math.sqrt(sum(g.pow(2).sum().item() for g in moving))
            ascent = moving if length == 0 else [g * (step / length) for g in moving]
        else:
            ascent = [g.sign() * si * step for g, si in zip(grad, s)]
        z = project([d + a for d, a in zip(delta, ascent)], s, r, norm)
        if i == 1:
            new = z
        else:
            new = project([d + MOMENTUM * (zi - d) + (1 - MOMENTUM) * (d - p) for d, zi, p in zip(delta, z, previous)], s, r, norm)
        previous, delta = delta, new
        obj.place(delta)
        loss, grad = obj.loss_and_grad(b)
        if loss > best:
            best = loss
            best_delta, best_grad = [d.clone() for d in delta], [g.clone() for g in grad]
            updates += 1
        if i not in marks:
            continue
        few = updates < 0.75 * (i - last)
        unchanged = step == step_at_mark and best == best_at_mark
        step_at_mark, best_at_mark, last, updates = step, best, i, 0
        if few or unchanged:
            step *= 0.5
            delta = [d.clone() for d in best_delta]
            previous = [d.clone() for d in best_delta]
            grad = [g.clone() for g in best_grad]
    return best


def worst_case(obj, rho, norm):
    total = 0.0
    s = [w.abs() for w in obj.origin]
    for b in range(len(obj.batches)):
        obj.place([torch.zeros_like(w) for w in obj.origin])
        base = obj.loss(b)
        best = max(base, ascend(obj, b, s, rho, norm, ITERATIONS))
        total += obj.weight(b) * (best - base)
    obj.place([torch.zeros_like(w) for w in obj.origin])
    return total


def keskar(obj, epsilon):
    total = 0.0
    s = [w.abs() + 1 for w in obj.origin]
    for b in range(len(obj.batches)):
        obj.place([torch.zeros_like(w) for w in obj.origin])
        base = obj.loss(b)
        best = max(base, ascend(obj, b, s, epsilon, "Linf", ITERATIONS))
        total += obj.weight(b) * 100 * (best - base) / (1 + base)
    obj.place([torch.zeros_like(w) for w in obj.origin])
    return total


def average_case(obj, rho, norm, draws, generator):
    """Plain Monte Carlo over the definition's distribution (no variance reduction), with its standard error."""
    value, variance = 0.0, 0.0
    for b in range(len(obj.batches)):
        obj.place([torch.zeros_like(w) for w in obj.origin])
        base = obj.loss(b)
        values = []
        for _ in range(draws):
            if norm == "L2":
                noise = [torch.randn(w.shape, dtype=torch.float64, generator=generator) for w in obj.origin]
            else:
                noise = [2 * torch.rand(w.shape, dtype=torch.float64, generator=generator) - 1 for w in obj.origin]
            obj.place([rho * w.abs() * z for w, z in zip(obj.origin, noise)])
            values.append(obj.loss(b) - base)
        mean = sum(values) / draws
        se = math.sqrt(sum((v - mean) ** 2 for v in values) / (draws - 1) / draws)
        value += obj.weight(b) * mean
        variance += (obj.weight(b) * se) ** 2
    obj.place([torch.zeros_like(w) for w in obj.origin])
    return value, math.sqrt(variance)


def main():
    torch.set_num_threads(1)
    model = DigitsCnn()
    model.load_state_dict(torch.load(os.path.join(HERE, "..", "Formats", "digits_plain.pt")))
    model = model.double().eval()
    pixels, labels = load_data()
    x = torch.tensor(pixels, dtype=torch.float64).reshape(-1, 1, 8, 8) / 16
    y = torch.tensor(labels)
    generator = torch.Generator().manual_seed(2023)
    cases = []
    for m in (SAMPLES, 32):
        obj = Objective(model, x, y, m)
        for norm, rho in (("L2", 0.1), ("Linf", 0.01)):
            worst = worst_case(obj, rho, norm)
            average, se = average_case(obj, rho, norm, 1000, generator)
            cases.append({"batch_size": m, "norm": norm, "rho": rho, "worst_case": worst, "average_case": average, "average_case_se": se})
            print(cases[-1], flush=True)
        cases.append({"batch_size": m, "norm": "Keskar", "epsilon": 1e-3, "keskar": keskar(obj, 1e-3)})
        print(cases[-1], flush=True)
    output = {
        "torch": torch.__version__,
        "checkpoint": "../Formats/digits_plain.pt",
        "iterations": ITERATIONS,
        "restarts": 1,
        "pixels": pixels,
        "labels": labels,
        "cases": cases,
    }
    with open(os.path.join(HERE, "sharpness_reference.json"), "w") as f:
        json.dump(output, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
