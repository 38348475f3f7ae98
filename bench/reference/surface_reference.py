#!/usr/bin/env python3
"""The bench's reference: a loss surface computed the way the paper's code does it
(tomgoldstein/loss-landscape, net_plotter.set_weights + evaluation.eval_loss), on the checkpoint,
directions and data LossLandscape exported, with PyTorch's threads and batch size tuned.

    surface_reference.py tune    --input DIR --out FILE [--batch-sizes 128,250,500] [--device cpu|cuda]
    surface_reference.py surface --input DIR --out FILE --threads T --batch-size B [--device cpu|cuda]

DIR holds manifest.json (architecture, input shape, class count, grid axes) and three safetensors
files: the state dict, the directions (one tensor per parameter, "x/<name>" and "y/<name>", in
named_parameters() order) and the data ("inputs" float32 NCHW, "labels" int64).

`tune` times a bare forward over the data (eval, no_grad, no loss) for each thread count and batch
size and writes the sweep and the fastest setting. `surface` computes every grid point with one
setting and writes the time, the peak RSS and train_loss/train_acc in the bench's point order.
The model definitions are imported from the test fixtures that prove them name- and
output-identical to LossLandscape's zoo.
"""

import argparse
import importlib.util
import json
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

REPOSITORY = Path(__file__).resolve().parents[2]
MODEL_DEFINITIONS = REPOSITORY / "tests" / "LossLandscape.Core.Tests" / "Fixtures" / "Models" / "generate_model_names.py"
THREAD_COUNTS = (1, 2)
BATCH_SIZES = "128,250,500"
# Short forward passes are repeated until this much time is spent, and the fastest kept.
MIN_TIMED_SECONDS = 1.0
SAFETENSORS_DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4"}


def read_safetensors(path):
    raw = Path(path).read_bytes()
    header_length = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + header_length])
    header.pop("__metadata__", None)
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        dtype = np.dtype(SAFETENSORS_DTYPES[entry["dtype"]])
        array = np.frombuffer(raw, dtype=dtype, count=(end - start) // dtype.itemsize, offset=8 + header_length + start)
        tensors[name] = torch.from_numpy(array.reshape(entry["shape"]).copy())
    return tensors


def model_definitions():
    spec = importlib.util.spec_from_file_location("generate_model_names", MODEL_DEFINITIONS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_model(manifest):
    zoo = model_definitions()
    architecture = manifest["architecture"]
    channels, classes = manifest["input_channels"], manifest["class_count"]
    resnet = re.fullmatch(r"ResNet(\d+)(NoShort)?", architecture)
    if resnet:
        block = zoo.BasicBlock_noshortcut if resnet[2] else zoo.BasicBlock
        return zoo.resnet(int(resnet[1]), block, in_channels=channels, num_classes=classes)
    if architecture == "DigitsCnn":
        return zoo.DigitsCnn(channels, manifest["input_height"], manifest["input_width"], classes)
    raise SystemExit(f"The reference has no definition for {architecture}.")


def load(folder, device):
    """The model at θ* (eval), the directions as lists of tensors per parameter, the data, the manifest."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    model = build_model(manifest)
    model.load_state_dict(read_safetensors(folder / manifest["state_file"]), strict=True)
    model.to(device)
    model.eval()

    stored = read_safetensors(folder / manifest["directions_file"])
    parameters = list(model.named_parameters())
    axes = ["x", "y"] if manifest.get("y") is not None else ["x"]
    expected = [f"{axis}/{name}" for axis in axes for name, _ in parameters]
    # Only the paper's weights-only directions can be reproduced here: anything else (BN buffer parts, other names) is refused.
    if list(stored) != expected:
        raise SystemExit(f"The direction file holds {list(stored)[:4]}…, not one tensor per parameter for axes {axes} in named_parameters() order.")
    directions = []
    for axis in axes:
        tensors = []
        for name, parameter in parameters:
            tensor = stored[f"{axis}/{name}"]
            if tensor.shape != parameter.shape or tensor.dtype != torch.float32:
                raise SystemExit(f"Direction {axis}/{name} is {tensor.dtype} {tuple(tensor.shape)}; the parameter is float32 {tuple(parameter.shape)}.")
            tensors.append(tensor.to(device))
        directions.append(tensors)

    data = read_safetensors(folder / manifest["data_file"])
    return model, directions, data["inputs"], data["labels"], manifest


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bare_forward_seconds(model, inputs, batch_size, device):
    """The fastest of repeated forward passes over the whole data, after a warm-up of the first and last batch shapes."""
    batches = [inputs[start:start + batch_size].to(device) for start in range(0, len(inputs), batch_size)]
    best, spent = float("inf"), 0.0
    with torch.no_grad():
        model(batches[0])
        model(batches[-1])
        synchronize(device)
        while spent < MIN_TIMED_SECONDS:
            start = time.perf_counter()
            for batch in batches:
                model(batch)
            synchronize(device)
            elapsed = time.perf_counter() - start
            best, spent = min(best, elapsed), spent + elapsed
    return best


def tune(arguments):
    device = torch.device(arguments.device)
    model, _, inputs, _, _ = load(arguments.input, device)
    sweep = []
    for threads in THREAD_COUNTS:
        torch.set_num_threads(threads)
        for batch_size in (int(size) for size in arguments.batch_sizes.split(",")):
            sweep.append({"threads": threads, "batch_size": batch_size, "seconds": bare_forward_seconds(model, inputs, batch_size, device)})
    best = min(sweep, key=lambda setting: setting["seconds"])
    write(arguments.out, {"sweep": sweep, **best})


def set_weights(model, weights, directions, step):
    """net_plotter.set_weights: d = dx·α + dy·β per tensor, then p = w + d, in float32."""
    if len(directions) == 2:
        dx, dy = directions
        changes = [d0 * step[0] + d1 * step[1] for (d0, d1) in zip(dx, dy)]
    else:
        changes = [d * step for d in directions[0]]
    for (p, w, d) in zip(model.parameters(), weights, changes):
        p.data = w + d


def eval_loss(model, criterion, loader, device):
    """evaluation.eval_loss: Σ(batch-mean loss × batch size) / N and 100 × correct / N."""
    correct = 0
    total_loss = 0
    total = 0
    model.eval()
    with torch.no_grad():
        for inputs, targets in loader:
            batch_size = inputs.size(0)
            total += batch_size
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            loss = criterion(outputs, targets)
            total_loss += loss.item() * batch_size
            _, predicted = torch.max(outputs.data, 1)
            correct += predicted.eq(targets).sum().item()
    return total_loss / total, 100. * correct / total


def surface(arguments):
    device = torch.device(arguments.device)
    torch.set_num_threads(arguments.threads)
    model, directions, inputs, labels, manifest = load(arguments.input, device)
    x, y = manifest["x"], manifest.get("y")
    points = len(x) * (len(y) if y is not None else 1)

    start = time.perf_counter()
    weights = [p.data for p in model.parameters()]
    # num_workers=0: worker processes would compete with the model's own threads for the cores.
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(inputs, labels), batch_size=arguments.batch_size, shuffle=False)
    criterion = nn.CrossEntropyLoss()
    losses, accuracies = [], []
    # The bench's point order: flat, row-major [y, x].
    for index in range(points):
        step = (x[index % len(x)], y[index // len(x)]) if y is not None else x[index]
        set_weights(model, weights, directions, step)
        loss, accuracy = eval_loss(model, criterion, loader, device)
        losses.append(loss)
        accuracies.append(accuracy)
    seconds = time.perf_counter() - start

    write(arguments.out, {
        "seconds": seconds,
        "peak_rss_kib": peak_rss_kib(),
        "threads": arguments.threads,
        "batch_size": arguments.batch_size,
        "values": {"train_loss": losses, "train_acc": accuracies},
    })


def peak_rss_kib():
    """VmHWM, the peak of this process's own memory. ru_maxrss would not do: Linux carries the
    parent's peak over fork and exec into it, so a child of the large bench process would report
    the bench's size."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage // 1024 if sys.platform == "darwin" else usage


def write(path, document):
    Path(path).write_text(json.dumps(document, indent=1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("tune", "surface"):
        command = commands.add_parser(name)
        command.add_argument("--input", required=True, help="folder with manifest.json and the exported tensors")
        command.add_argument("--out", required=True, help="JSON file to write")
        command.add_argument("--device", default="cpu", help="cpu or cuda: where the model, directions and batches live")
        if name == "tune":
            command.add_argument("--batch-sizes", default=BATCH_SIZES, help="comma-separated batch sizes to sweep")
        if name == "surface":
            command.add_argument("--threads", type=int, required=True)
            command.add_argument("--batch-size", type=int, required=True)
    arguments = parser.parse_args()
    if arguments.command == "tune":
        tune(arguments)
    else:
        surface(arguments)


if __name__ == "__main__":
    main()
