#!/usr/bin/python3
"""A second implementation of -BatchNormStatistics Reset and Batch, with PyTorch itself.

Reset is torch.optim.swa_utils.update_bn: running statistics reset, momentum None, one pass over the
first k batches in training mode, then evaluation in eval mode. Batch is evaluation in training mode
(each batch normalized by its own statistics) on a copy, so the running statistics stay as they were.

On the fixture DigitsCnn (../Formats/digits_plain.pt) and the 64 digits the sharpness reference uses,
in float32 as surfaces evaluate, batches of 16 in data order; at θ* and at a point away from it,
every convolution weight w moved to w + 0.5 sin(i) (i its flat index): a point a direction reaches. Run with Debian's python3-torch (1.13); the output,
batchnorm_reference.json, is committed and this script does not run in CI.
"""

import copy
import json
import os
import sys

import torch
import torch.nn.functional as F
from torch.optim.swa_utils import update_bn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Sharpness"))
from make_sharpness_reference import DigitsCnn, load_data  # noqa: E402

BATCH = 16
SHIFTS = (0.0, 0.5)
RESET_BATCHES = (None, 2)


def evaluate(model, x, y):
    """Mean loss (batch means weighted by batch size) and accuracy in percent, as LossLandscape reports them."""
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(y), BATCH):
            logits = model(x[i:i + BATCH])
            loss += F.cross_entropy(logits, y[i:i + BATCH]).item() * len(y[i:i + BATCH])
            correct += (logits.argmax(1) == y[i:i + BATCH]).sum().item()
    return loss / len(y), 100.0 * correct / len(y)


def statistics(model):
    return [{"mean": m.running_mean.tolist(), "var": m.running_var.tolist()} for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]


def main():
    torch.set_num_threads(1)
    base = DigitsCnn()
    base.load_state_dict(torch.load(os.path.join(HERE, "..", "Formats", "digits_plain.pt")))
    pixels, labels = load_data()
    x = torch.tensor(pixels, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16
    y = torch.tensor(labels)
    batches = [(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, len(y), BATCH)]
    cases = []
    for shift in SHIFTS:
        point = copy.deepcopy(base)
        with torch.no_grad():
            for name, p in point.named_parameters():
                if name.startswith("conv"):
                    p.add_(shift * torch.sin(torch.arange(p.numel(), dtype=torch.float32)).reshape(p.shape))
        running = evaluate(point.eval(), x, y)
        for k in RESET_BATCHES:
            model = copy.deepcopy(point)
            update_bn([b[0] for b in batches[:k]] if k else [b[0] for b in batches], model)
            loss, accuracy = evaluate(model.eval(), x, y)
            cases.append({"shift": shift, "mode": "Reset", "reset_batches": k, "loss": loss, "accuracy": accuracy, "statistics": statistics(model)})
        model = copy.deepcopy(point).train()
        loss, accuracy = evaluate(model, x, y)
        cases.append({"shift": shift, "mode": "Batch", "loss": loss, "accuracy": accuracy})
        cases.append({"shift": shift, "mode": "Running", "loss": running[0], "accuracy": running[1]})
        for case in cases[-4:]:
            print(shift, case["mode"], case.get("reset_batches"), case["loss"], case["accuracy"], flush=True)
    output = {"torch": torch.__version__, "checkpoint": "../Formats/digits_plain.pt", "batch_size": BATCH, "pixels": pixels, "labels": labels, "cases": cases}
    with open(os.path.join(HERE, "batchnorm_reference.json"), "w") as f:
        json.dump(output, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
