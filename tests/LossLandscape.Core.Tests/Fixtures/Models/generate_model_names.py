"""Writes the PyTorch reference fixtures the model-zoo tests compare TorchSharp against.

Run with a Python that has PyTorch (Debian: /usr/bin/python3, PyTorch 1.13):
    /usr/bin/python3 generate_model_names.py

Outputs, next to this script:
  model_names.json    ordered state_dict() keys with shapes, ordered named_parameters() names and
                      the total parameter count, for each reference model.
  model_outputs.json  eval() outputs of small models for a fixed input, with every floating
                      state_dict() entry filled by the deterministic rule in fill_state() (the rule
                      is reproduced in C# by the tests; storing ResNet-20's 270k weights instead
                      would take over a megabyte).

The CIFAR ResNets and VGG-9 follow tomgoldstein/loss-landscape cifar10/models/resnet.py and vgg.py,
with the same generalisations LossLandscape makes: input channels, input size and class count come
from the spec, and the ResNet's final avg_pool2d(out, 8) is a global average pool (identical on
32x32 inputs, where the last feature map is 8x8).
"""

import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)

        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(self.expansion * planes)
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        out = F.relu(out)
        return out


class BasicBlock_noshortcut(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out = F.relu(out)
        return out


class ResNet_cifar(nn.Module):
    """ResNet_cifar and WResNet_cifar of the paper's code (k = 1 is ResNet_cifar)."""

    def __init__(self, block, num_blocks, k=1, in_channels=3, num_classes=10):
        super().__init__()
        self.in_planes = 16 * k

        self.conv1 = nn.Conv2d(in_channels, 16 * k, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16 * k)
        self.layer1 = self._make_layer(block, 16 * k, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 32 * k, num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, 64 * k, num_blocks[2], stride=2)
        self.linear = nn.Linear(64 * k * block.expansion, num_classes)

    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_planes, planes, stride))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = F.adaptive_avg_pool2d(out, 1)
        out = out.view(out.size(0), -1)
        out = self.linear(out)
        return out


def resnet(depth, block, k=1, in_channels=3, num_classes=10):
    n = (depth - 2) // 6
    return ResNet_cifar(block, [n, n, n], k, in_channels, num_classes)


class VGG(nn.Module):
    """VGG of the paper's code with the VGG9 configuration."""

    cfg = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M']

    def __init__(self, in_channels=3, height=32, width=32, num_classes=10):
        super().__init__()
        self.height, self.width = height, width
        self.features = self._make_layers(in_channels)
        self.n_maps = self.cfg[-2]
        self.fc = self._make_fc_layers()
        self.classifier = nn.Linear(self.n_maps, num_classes)

    def forward(self, x):
        out = self.features(x)
        out = out.view(out.size(0), -1)
        out = self.fc(out)
        out = self.classifier(out)
        return out

    def _make_fc_layers(self):
        return nn.Sequential(nn.Linear(self.n_maps * self.height * self.width, self.n_maps),
                             nn.BatchNorm1d(self.n_maps),
                             nn.ReLU(inplace=True))

    def _make_layers(self, in_channels):
        layers = []
        for x in self.cfg:
            if x == 'M':
                layers += [nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=True)]
                self.height = math.ceil(self.height / 2)
                self.width = math.ceil(self.width / 2)
            else:
                layers += [nn.Conv2d(in_channels, x, kernel_size=3, padding=1),
                           nn.BatchNorm2d(x),
                           nn.ReLU(inplace=True)]
                in_channels = x
        return nn.Sequential(*layers)


class DigitsCnn(nn.Module):
    """LossLandscape's own small CNN for the 8x8 digits (not in the paper's code)."""

    def __init__(self, in_channels=1, height=8, width=8, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 16, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 32, kernel_size=3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(32)
        self.linear = nn.Linear(32 * (height // 4) * (width // 4), num_classes)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.max_pool2d(F.relu(self.bn2(self.conv2(out))), 2)
        out = F.max_pool2d(F.relu(self.bn3(self.conv3(out))), 2)
        out = out.view(out.size(0), -1)
        return self.linear(out)


class Mlp(nn.Module):
    """LossLandscape's multilayer perceptron: flatten, Linear+ReLU per hidden width, Linear."""

    def __init__(self, inputs, hidden_widths, num_classes=10):
        super().__init__()
        layers = []
        for width in hidden_widths:
            layers += [nn.Linear(inputs, width), nn.ReLU()]
            inputs = width
        layers.append(nn.Linear(inputs, num_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x.flatten(1))


def describe(model):
    return {
        "state_dict": [[name, list(value.shape)] for name, value in model.state_dict().items()],
        "named_parameters": [name for name, _ in model.named_parameters()],
        "parameter_count": sum(p.numel() for p in model.parameters()),
    }


def dump_one_entry_per_line(document, path):
    """JSON with one state_dict entry or parameter name per line: small, yet diffable."""
    def compact(value):
        return json.dumps(value, separators=(",", ":"))

    lines = ["{"]
    for m, (key, model) in enumerate(document.items()):
        lines.append(f" {compact(key)}: {{")
        fields = list(model.items())
        for f, (field, value) in enumerate(fields):
            comma = "," if f < len(fields) - 1 else ""
            if isinstance(value, list):
                items = ",\n   ".join(compact(item) for item in value)
                lines.append(f"  {compact(field)}: [\n   {items}\n  ]{comma}")
            else:
                lines.append(f"  {compact(field)}: {compact(value)}{comma}")
        lines.append(" }" + ("," if m < len(document) - 1 else ""))
    lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def lcg(seed):
    """32-bit linear congruential generator (Numerical Recipes constants), values in [-0.5, 0.5)."""
    state = seed
    while True:
        state = (state * 1664525 + 1013904223) % 2 ** 32
        yield (state >> 8) / 2 ** 24 - 0.5


def fill_state(model, seed):
    """Fills every floating state_dict entry, in order, from one LCG stream.

    Weights of dimension >= 2 are He-uniform scaled so activations stay of order one through deep
    nets (otherwise a 1e-4 tolerance on vanishing outputs would prove nothing); BatchNorm scales and
    running variances are centred on one. Values are computed in double and rounded once to float32,
    exactly as the C# side does.
    """
    stream = lcg(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point():
                continue
            if tensor.dim() >= 2:
                fan_in = tensor.numel() // tensor.shape[0]
                scale, offset = math.sqrt(24.0 / fan_in), 0.0
            elif name.endswith("running_var") or name.endswith("weight"):
                scale, offset = 0.5, 1.0
            else:
                scale, offset = 0.2, 0.0
            values = [next(stream) * scale + offset for _ in range(tensor.numel())]
            tensor.copy_(torch.tensor(values, dtype=torch.float64).reshape(tensor.shape).to(torch.float32))


def reference_output(spec, model, seed, batch):
    fill_state(model, seed)
    model.eval()
    stream = lcg(seed + 1)
    shape = [batch, spec["InputChannels"], spec["InputHeight"], spec["InputWidth"]]
    count = math.prod(shape)
    inputs = torch.tensor([next(stream) * 2.0 for _ in range(count)], dtype=torch.float64).to(torch.float32).reshape(shape)
    with torch.no_grad():
        outputs = model(inputs)
    return {"spec": spec, "seed": seed, "batch": batch, "output": outputs.flatten().tolist()}


def spec(architecture, channels, height, width, classes=10, **extra):
    result = {"Architecture": architecture, "InputChannels": channels, "InputHeight": height,
              "InputWidth": width, "ClassCount": classes}
    result.update(extra)
    return result


def main():
    names = {
        "ResNet20": (spec("ResNet20", 3, 32, 32), resnet(20, BasicBlock)),
        "ResNet56NoShort": (spec("ResNet56NoShort", 3, 32, 32), resnet(56, BasicBlock_noshortcut)),
        "WideResNet56": (spec("WideResNet56", 3, 32, 32, WidthFactor=2), resnet(56, BasicBlock, k=2)),
        "Vgg9": (spec("Vgg9", 3, 32, 32), VGG()),
        "DigitsCnn": (spec("DigitsCnn", 1, 8, 8), DigitsCnn()),
        "Mlp": (spec("Mlp", 1, 8, 8, HiddenWidths=[64, 32]), Mlp(64, [64, 32])),
    }
    dump_one_entry_per_line({key: dict(spec=s, **describe(m)) for key, (s, m) in names.items()},
                            os.path.join(HERE, "model_names.json"))

    outputs = {
        "ResNet20": reference_output(spec("ResNet20", 1, 8, 8), resnet(20, BasicBlock, in_channels=1), 20, 2),
        "ResNet20NoShort": reference_output(spec("ResNet20NoShort", 1, 8, 8), resnet(20, BasicBlock_noshortcut, in_channels=1), 21, 2),
        "DigitsCnn": reference_output(spec("DigitsCnn", 1, 8, 8), DigitsCnn(), 30, 3),
        "Vgg9": reference_output(spec("Vgg9", 1, 8, 8), VGG(1, 8, 8), 40, 2),
        "Mlp": reference_output(spec("Mlp", 1, 8, 8, HiddenWidths=[64, 32]), Mlp(64, [64, 32]), 50, 3),
    }
    with open(os.path.join(HERE, "model_outputs.json"), "w") as f:
        json.dump(outputs, f, indent=1)


if __name__ == "__main__":
    main()
