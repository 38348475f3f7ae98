"""Writes a TorchScript fixture of an architecture that is NOT in LossLandscape's model zoo, trained
briefly on the built-in digits data, plus reference logits. Run with Debian's PyTorch:
    /usr/bin/python3 make_torchscript.py
Outputs (committed): gated_cnn.pt (torch.jit.script(...).save), gated_cnn_reference.json."""
import gzip
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "..", "..", "..", "..", "src", "LossLandscape.Core", "Data", "Digits", "digits.csv.gz")


class GatedBlock(nn.Module):
    """A residual block whose branch is scaled by a learnable scalar gate (a 0-d parameter)."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.norm = nn.GroupNorm(4, channels)
        self.gate = nn.Parameter(torch.tensor(0.5))

    def forward(self, x):
        return x + self.gate * torch.tanh(self.norm(self.conv(x)))


class GatedCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.block = GatedBlock(8)
        self.head = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.stem(x)))
        x = self.block(x)
        x = F.max_pool2d(x, 2)
        return self.head(torch.flatten(x, 1))


def digits():
    rows = [list(map(int, line.split(","))) for line in gzip.open(DIGITS, "rt").read().split("\n") if line]
    seen = [0] * 10
    train_x, train_y = [], []
    for row in rows:
        label = row[64]
        position = seen[label]
        seen[label] += 1
        if position % 5 != 4:  # LossLandscape's fixed split: every fifth image of a class is test
            train_x.append([v / 16.0 for v in row[:64]])
            train_y.append(label)
    return torch.tensor(train_x, dtype=torch.float32).view(-1, 1, 8, 8), torch.tensor(train_y)


def main():
    torch.manual_seed(0)
    x, y = digits()
    model = GatedCnn()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(3):
        order = torch.randperm(len(y))
        for start in range(0, len(y), 64):
            batch = order[start:start + 64]
            optimizer.zero_grad()
            F.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
    model.eval()
    scripted = torch.jit.script(model)
    scripted.save(os.path.join(HERE, "gated_cnn.pt"))

    inputs = x[:4]
    with torch.no_grad():
        logits = model(inputs)
        loss = F.cross_entropy(model(x), y).item()
        accuracy = 100.0 * (model(x).argmax(1) == y).float().mean().item()
    reference = {
        "parameters": [[name, list(p.shape)] for name, p in model.named_parameters()],
        "buffers": [[name, list(b.shape)] for name, b in model.named_buffers()],
        "inputs": inputs.flatten().tolist(),
        "logits": logits.flatten().tolist(),
        "train_loss": loss,
        "train_accuracy": accuracy,
        "train_count": len(y),
    }
    with open(os.path.join(HERE, "gated_cnn_reference.json"), "w") as f:
        json.dump(reference, f, indent=1)


if __name__ == "__main__":
    main()
