"""Writes the checkpoint-format fixtures of LossLandscape.Core.Tests.Formats, and checks files the
C# writers exported.

    /usr/bin/python3 make_fixtures.py                   # (re)write fixtures + references.json here
    /usr/bin/python3 make_fixtures.py verify-export DIR # torch.load DIR/*.export.{pt,safetensors}

The models reproduce the zoo's DigitsCnn (Models/DigitsCnn.cs) and the paper's CIFAR ResNet-20
(Models/CifarResNet.cs, Models/BasicBlock.cs; tomgoldstein/loss-landscape cifar10/models/resnet.py)
with the same parameter and buffer names, so every state dict here loads into the zoo by name.
Hostile files are only ever pickled here, never loaded.
"""
import collections
import hashlib
import json
import os
import struct
import sys
import types
import zipfile

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


class DigitsCnn(nn.Module):
    def __init__(self, in_channels=1, height=8, width=8, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(32)
        self.linear = nn.Linear(32 * (height // 4) * (width // 4), classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.max_pool2d(F.relu(self.bn3(self.conv3(x))), 2)
        return self.linear(x.flatten(1))


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out)) + self.shortcut(x)
        return F.relu(out)


class CifarResNet(nn.Module):
    def __init__(self, depth=20, classes=10):
        super().__init__()
        blocks = (depth - 2) // 6
        self.in_planes = 16
        self.conv1 = nn.Conv2d(3, 16, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = self._stage(16, blocks, 1)
        self.layer2 = self._stage(32, blocks, 2)
        self.layer3 = self._stage(64, blocks, 2)
        self.linear = nn.Linear(64, classes)

    def _stage(self, planes, blocks, stride):
        layers = []
        for stride in [stride] + [1] * (blocks - 1):
            layers.append(BasicBlock(self.in_planes, planes, stride))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        out = F.avg_pool2d(out, 8).flatten(1)
        return self.linear(out)


def randomize_batch_norm(model, generator):
    # Fresh BatchNorm statistics are 0 and 1: a reader that ignored buffers would still pass.
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            with torch.no_grad():
                module.weight.uniform_(0.5, 1.5, generator=generator)
                module.bias.normal_(0, 0.1, generator=generator)
                module.running_mean.normal_(0, 0.2, generator=generator)
                module.running_var.uniform_(0.5, 2.0, generator=generator)
                module.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=generator)))


def make_model(cls, seed):
    torch.manual_seed(seed)
    model = cls()
    randomize_batch_norm(model, torch.Generator().manual_seed(seed + 1))
    return model.eval()


def raw_bytes(tensor):
    tensor = tensor.contiguous()
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.view(torch.int16)
    return tensor.numpy().tobytes()


DTYPE_NAMES = {
    torch.float16: "Float16", torch.bfloat16: "BFloat16", torch.float32: "Float32", torch.float64: "Float64",
    torch.int64: "Int64", torch.int32: "Int32", torch.int16: "Int16", torch.int8: "Int8",
    torch.uint8: "UInt8", torch.bool: "Bool",
}

SAFETENSORS_DTYPES = {
    torch.float16: "F16", torch.bfloat16: "BF16", torch.float32: "F32", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def describe(state):
    """Per tensor: name, dtype, shape, the first five values as float64 and the SHA-256 of the
    contiguous little-endian bytes (exact), plus the float64 sum (order-dependent, for humans)."""
    tensors = []
    for name, tensor in state.items():
        flat = tensor.detach().reshape(-1).double()
        tensors.append({
            "name": name,
            "dtype": DTYPE_NAMES[tensor.dtype],
            "shape": list(tensor.shape),
            "first": flat[:5].tolist(),
            "sum": float(flat.sum()),
            "sha256": hashlib.sha256(raw_bytes(tensor)).hexdigest(),
        })
    return {"tensors": tensors}


def write_safetensors(path, state, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name, tensor in state.items():
        data = raw_bytes(tensor)
        header[name] = {"dtype": SAFETENSORS_DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    write_raw_safetensors(path, header, b"".join(blobs))


def write_raw_safetensors(path, header, data, declared_length=None):
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    length = len(text) if declared_length is None else declared_length
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", length) + text + data)


class RunsShellCommand:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def unknown_class_instance():
    # pickle checks that a class is importable under its module name, so register a stand-in.
    module = types.ModuleType("mymodule")

    class MyNet:
        pass

    MyNet.__module__ = "mymodule"
    MyNet.__qualname__ = "MyNet"
    module.MyNet = MyNet
    sys.modules["mymodule"] = module
    instance = MyNet()
    instance.weight = torch.zeros(2)
    return instance


def save(name, obj, **kwargs):
    torch.save(obj, os.path.join(HERE, name), **kwargs)


def logits_reference(model, inputs):
    with torch.no_grad():
        return {"input_shape": list(inputs.shape), "input": inputs.reshape(-1).tolist(),
                "logits": model(inputs).reshape(-1).tolist()}


def make_numpy_pickles(references):
    """numpy arrays as the CIFAR-10 python batches pickle them (a dict of arrays and lists)."""
    import pickle
    import numpy as np
    content = {
        "batch_label": "training batch 1 of 5",
        "data": np.arange(12, dtype=np.uint8).reshape(2, 6) * 20,
        "labels": [3, 1],
        "ids": np.array([-5, 7, 1 << 40], dtype=np.int64),
        "fortran": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
        "acc": np.float64(93.25),
    }
    arrays = {}
    for key in ["data", "ids", "fortran"]:
        array = np.ascontiguousarray(content[key])
        arrays[key] = {"dtype": str(array.dtype), "shape": list(array.shape), "values": array.reshape(-1).tolist()}
    references["numpy"] = {"arrays": arrays, "acc": 93.25, "labels": [3, 1], "batch_label": "training batch 1 of 5"}
    for protocol in [2, 4]:
        with open(os.path.join(HERE, f"numpy_arrays_protocol{protocol}.pkl"), "wb") as f:
            pickle.dump(content, f, protocol=protocol)


def make():
    references = {}
    digits = make_model(DigitsCnn, 20240501)
    state = digits.state_dict()
    digits_input = torch.randn(4, 1, 8, 8, generator=torch.Generator().manual_seed(7))
    references["models"] = {"DigitsCnn": logits_reference(digits, digits_input)}

    save("digits_plain.pt", state)
    references["digits_plain.pt"] = describe(state)
    save("digits_paper.t7", {"acc": 93.1, "epoch": 7, "state_dict": state})
    references["digits_paper.t7"] = describe(state)
    parallel = collections.OrderedDict(("module." + k, v) for k, v in state.items())
    save("digits_dataparallel.pth", {"state_dict": parallel, "epoch": 3, "arch": "digits"})
    references["digits_dataparallel.pth"] = describe(state)
    save("digits_protocol4.pt", state, pickle_protocol=4)
    references["digits_protocol4.pt"] = describe(state)
    save("digits_legacy.t7", {"acc": 93.1, "epoch": 7, "state_dict": state}, _use_new_zipfile_serialization=False)
    references["digits_legacy.t7"] = describe(state)

    for file_name, dtype in [("digits_half.pt", torch.float16), ("digits_double.pt", torch.float64),
                             ("digits_bfloat16.pt", torch.bfloat16)]:
        converted = collections.OrderedDict(
            (k, v.to(dtype) if v.is_floating_point() else v) for k, v in state.items())
        save(file_name, converted)
        references[file_name] = describe(converted)

    weight = state["linear.weight"]  # 10 × 128
    views = collections.OrderedDict([
        ("weight", weight),
        ("transposed", weight.t()),
        ("rows", weight[2:5]),
        ("every_other_column", weight[:, 1::2]),
        ("scalar_element", weight[3, 7]),
        ("counts", torch.arange(24, dtype=torch.int64).reshape(2, 3, 4).permute(2, 0, 1)),
        ("mask", torch.tensor([True, False, True])),
        ("small_ints", torch.tensor([-3, 0, 5], dtype=torch.int8)),
    ])
    save("digits_views.pt", views)
    references["digits_views.pt"] = describe(views)
    save("digits_views_legacy.t7", views, _use_new_zipfile_serialization=False)
    references["digits_views_legacy.t7"] = describe(views)

    write_safetensors(os.path.join(HERE, "digits.safetensors"), state, {"format": "pt", "source": "make_fixtures.py"})
    references["digits.safetensors"] = describe(state)
    references["digits.safetensors"]["metadata"] = {"format": "pt", "source": "make_fixtures.py"}

    make_numpy_pickles(references)

    resnet = make_model(CifarResNet, 20180101)
    resnet_state = resnet.state_dict()
    save("resnet20.pt", resnet_state)
    references["resnet20.pt"] = describe(resnet_state)
    resnet_input = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(11))
    references["models"]["CifarResNet20"] = logits_reference(resnet, resnet_input)

    save("hostile_os_system.pt", {"state_dict": RunsShellCommand()})
    save("hostile_os_system_legacy.t7", {"state_dict": RunsShellCommand()}, _use_new_zipfile_serialization=False)
    save("hostile_unknown_class.pt", unknown_class_instance())
    with open(os.path.join(HERE, "digits_plain.pt"), "rb") as f:
        whole = f.read()
    with open(os.path.join(HERE, "truncated.pt"), "wb") as f:
        f.write(whole[: len(whole) // 2])

    sixteen = struct.pack("<4f", 1, 2, 3, 4)
    write_raw_safetensors(os.path.join(HERE, "hostile_offsets_past_end.safetensors"),
                          {"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 4096]}}, sixteen)
    write_raw_safetensors(os.path.join(HERE, "hostile_overlap.safetensors"),
                          {"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]},
                           "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}, sixteen)
    write_raw_safetensors(os.path.join(HERE, "hostile_shape_mismatch.safetensors"),
                          {"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 16]}}, sixteen)
    write_raw_safetensors(os.path.join(HERE, "hostile_header_length.safetensors"),
                          {"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, sixteen,
                          declared_length=1 << 40)
    write_raw_safetensors(os.path.join(HERE, "hostile_shape_overflow.safetensors"),
                          {"w": {"dtype": "F32", "shape": [1 << 40, 1 << 40], "data_offsets": [0, 16]}}, sixteen)
    write_raw_safetensors(os.path.join(HERE, "hostile_negative_offset.safetensors"),
                          {"w": {"dtype": "F32", "shape": [4], "data_offsets": [-16, 0]}}, sixteen)

    with open(os.path.join(HERE, "references.json"), "w") as f:
        json.dump(references, f, indent=1)
        f.write("\n")


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    metadata = header.pop("__metadata__", None)
    by_name = {v: k for k, v in SAFETENSORS_DTYPES.items()}
    data = blob[8 + length:]
    state = collections.OrderedDict()
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        begin, end = entry["data_offsets"]
        dtype = by_name[entry["dtype"]]
        raw = bytearray(data[begin:end])
        if dtype == torch.bfloat16:
            tensor = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16) if raw else torch.empty(0, dtype=dtype)
        else:
            tensor = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        state[name] = tensor.reshape(entry["shape"])
    return state, metadata


def verify_export(directory):
    """Each DIR/<fixture>.export.<ext> must hold exactly the tensors of references[<fixture>]."""
    with open(os.path.join(HERE, "references.json")) as f:
        references = json.load(f)
    lines, failures = [], 0
    for file_name in sorted(os.listdir(directory)):
        if ".export." not in file_name:
            continue
        fixture = file_name.split(".export.")[0]
        path = os.path.join(directory, file_name)
        if file_name.endswith(".safetensors"):
            state, _ = read_safetensors(path)
            loader = "safetensors parsed by hand"
        else:
            state = torch.load(path)
            loader = f"torch.load (torch {torch.__version__})"
        expected = references[fixture]["tensors"]
        actual = describe(state)["tensors"]
        problems = [f"{e['name']}: expected {e['dtype']}{e['shape']} {e['sha256'][:12]}, got "
                    f"{a['dtype']}{a['shape']} {a['sha256'][:12]}"
                    for e, a in zip(expected, actual) if e != a]
        if [e["name"] for e in expected] != [a["name"] for a in actual]:
            problems.append("names or order differ")
        model_check = ""
        model_name = {"digits": "DigitsCnn", "resnet20": "CifarResNet20"}.get(fixture.split("_")[0].split(".")[0])
        model = None if not model_name else DigitsCnn() if model_name == "DigitsCnn" else CifarResNet()
        # Half and bfloat16 copies are rounded, so only lossless dtypes must reproduce the logits.
        if not problems and model is not None and list(state) == list(model.state_dict()) \
                and all(t.dtype in (torch.float32, torch.float64, torch.int64) for t in state.values()):
            model.load_state_dict(collections.OrderedDict((k, v.float() if v.is_floating_point() else v) for k, v in state.items()))
            model.eval()
            reference = references["models"][model_name]
            inputs = torch.tensor(reference["input"]).reshape(reference["input_shape"])
            with torch.no_grad():
                logits = model(inputs).reshape(-1)
            difference = (logits - torch.tensor(reference["logits"])).abs().max().item()
            model_check = f"; {model_name} logits max |diff| {difference:.3g}"
            if difference > 1e-5:
                problems.append(f"logits differ by {difference}")
        status = "OK  " if not problems else "FAIL"
        failures += bool(problems)
        lines.append(f"{status} {file_name}: {len(actual)} tensors via {loader}, bytes identical to {fixture}"
                     f"{model_check}" if not problems else f"{status} {file_name}: " + "; ".join(problems))
    if not lines:
        lines.append(f"FAIL no *.export.* files in {directory}")
        failures = 1
    print("\n".join(lines))
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "verify-export":
        sys.exit(verify_export(sys.argv[2]))
    if len(sys.argv) != 1:
        sys.exit(__doc__)
    make()
