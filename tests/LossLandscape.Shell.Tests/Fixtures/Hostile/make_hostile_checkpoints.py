#!/usr/bin/env python3
"""Writes the hostile and malformed checkpoint files beside this script (Python standard library only).

Run it from anywhere: python3 make_hostile_checkpoints.py. Every file is small; each name starts with
the class of attack it belongs to (HostileCheckpointTests reads them by that prefix). Files that must be
huge or special (sparse multi-GB files, FIFOs) are made by the tests themselves; for the sparse ones this
writes the head (*.head) that the test extends with truncate.
All tensors are DigitsCnn's (1×8×8 digits, 10 classes) so that valid files import with -Architecture DigitsCnn.
"""
import hashlib
import io
import json
import os
import struct
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# DigitsCnn's state dict in PyTorch order: (name, shape, is_integer).
DIGITS_CNN = []
for conv, channels_in, channels_out in (("1", 1, 16), ("2", 16, 32), ("3", 32, 32)):
    DIGITS_CNN.append((f"conv{conv}.weight", (channels_out, channels_in, 3, 3), False))
    for buffer in ("weight", "bias", "running_mean", "running_var"):
        DIGITS_CNN.append((f"bn{conv}.{buffer}", (channels_out,), False))
    DIGITS_CNN.append((f"bn{conv}.num_batches_tracked", (), True))
DIGITS_CNN += [("linear.weight", (10, 128), False), ("linear.bias", (10,), False)]


def count(shape):
    n = 1
    for size in shape:
        n *= size
    return n


def row_major(shape):
    strides, stride = [], 1
    for size in reversed(shape):
        strides.insert(0, stride)
        stride *= max(size, 1)
    return tuple(strides)


def floats(n, seed):
    # Small deterministic values; running_var must stay positive, so all are in (0, 0.1].
    return struct.pack(f"<{n}f", *[((i * 7919 + seed * 104729) % 1000 + 1) / 10000 for i in range(n)])


# ---- pickle emitter: explicit opcodes, so hostile streams can be spelled exactly ----

class Global:
    def __init__(self, module, name):
        self.module, self.name = module, name


class Call:
    def __init__(self, callable_, args):
        self.callable, self.args = callable_, args


class PersistentId:
    def __init__(self, value):
        self.value = value


class Raw:
    def __init__(self, data):
        self.data = data


class OrderedDict:
    def __init__(self, items):
        self.items = items


def emit(value, out):
    if isinstance(value, Raw):
        out += value.data
    elif value is None:
        out += b"N"
    elif value is True:
        out += b"\x88"
    elif value is False:
        out += b"\x89"
    elif isinstance(value, int):
        if 0 <= value < 256:
            out += b"K" + bytes([value])
        elif 0 <= value < 65536:
            out += b"M" + struct.pack("<H", value)
        elif -2**31 <= value < 2**31:
            out += b"J" + struct.pack("<i", value)
        else:
            length = (value.bit_length() + 8) // 8
            out += b"\x8a" + bytes([length]) + value.to_bytes(length, "little", signed=True)
    elif isinstance(value, float):
        out += b"G" + struct.pack(">d", value)
    elif isinstance(value, str):
        data = value.encode()
        out += b"X" + struct.pack("<I", len(data)) + data
    elif isinstance(value, tuple):
        out += b"("
        for item in value:
            emit(item, out)
        out += b"t"
    elif isinstance(value, list):
        out += b"]("
        for item in value:
            emit(item, out)
        out += b"e"
    elif isinstance(value, dict):
        out += b"}("
        for key, item in value.items():
            emit(key, out)
            emit(item, out)
        out += b"u"
    elif isinstance(value, OrderedDict):
        emit(Call(Global("collections", "OrderedDict"), ()), out)
        out += b"("
        for key, item in value.items:
            emit(key, out)
            emit(item, out)
        out += b"u"
    elif isinstance(value, Global):
        out += b"c" + value.module.encode() + b"\n" + value.name.encode() + b"\n"
    elif isinstance(value, Call):
        emit(value.callable, out)
        emit(value.args, out)
        out += b"R"
    elif isinstance(value, PersistentId):
        emit(value.value, out)
        out += b"Q"
    else:
        raise TypeError(value)


def pickle(value):
    out = bytearray(b"\x80\x02")
    emit(value, out)
    return bytes(out + b".")


def tensor(storage_id, shape, stride=None, offset=0):
    return Call(Global("torch._utils", "_rebuild_tensor_v2"),
                (storage_id, offset, tuple(shape), tuple(stride if stride is not None else row_major(shape)), False, OrderedDict([])))


def zip_storage(key, storage_type, numel):
    return PersistentId(("storage", Global("torch", storage_type), key, "cpu", numel))


def digits_state(override=None, drop=(), extra=(), storage_reference=None):
    """(pickle value, storages) of DigitsCnn's state dict, each tensor its own storage; override maps a name to (shape, stride, storage type, numel, data)."""
    override = override or {}
    items, storages = [], []
    for index, (name, shape, integer) in enumerate(DIGITS_CNN):
        if name in drop:
            continue
        key = str(index)
        if name in override:
            shape_, stride, storage_type, numel, data = override[name]
        else:
            shape_, stride = shape, None
            storage_type, numel = ("LongStorage", 1) if integer else ("FloatStorage", count(shape))
            data = struct.pack("<q", 1000) if integer else floats(numel, index)
        items.append((name, tensor((storage_reference or zip_storage)(key, storage_type, numel), shape_, stride)))
        storages.append((key, data))
    for name, shape in extra:
        key = f"x{len(storages)}"
        items.append((name, tensor(zip_storage(key, "FloatStorage", count(shape)), shape)))
        storages.append((key, floats(count(shape), 3)))
    return OrderedDict(items), storages


def entry(name, method=zipfile.ZIP_STORED):
    # A fixed time, so that rerunning the generator writes the same bytes.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = method
    return info


def write_zip(name, pickled, storages, compress=(), duplicate=None, byteorder=b"little"):
    path = os.path.join(HERE, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(entry("archive/data.pkl"), pickled)
        archive.writestr(entry("archive/byteorder"), byteorder)
        for key, data in storages:
            archive.writestr(entry(f"archive/data/{key}", zipfile.ZIP_DEFLATED if key in compress else zipfile.ZIP_STORED), data)
        archive.writestr(entry("archive/version"), b"3\n")
        if duplicate is not None:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                archive.writestr(entry(duplicate[0]), duplicate[1])
    return path


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as file:
        file.write(data)


def zip_of_pickle(name, pickled):
    write_zip(name, pickled, [])


def dict_with_key(key_opcodes):
    """A pickle of {key: 1} whose key is built by the given opcodes."""
    return b"\x80\x02}" + key_opcodes + b"K\x01s."


def valid_pt(name):
    state, storages = digits_state()
    write_zip(name, pickle(state), storages)


def legacy(root, storages_data, storage_count_override=None):
    """A pre-1.6 torch.save file: magic, protocol, system info, the pickle, the storage keys, then each storage."""
    out = bytearray()
    out += pickle(0x1950a86a20f9469cfc6c)
    out += pickle(1001)
    out += pickle({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}})
    out += pickle(root)
    out += pickle([key for key, _, _ in storages_data])
    for key, element_size, data in storages_data:
        declared = storage_count_override if storage_count_override is not None else len(data) // element_size
        out += struct.pack("<q", declared) + data
    return bytes(out)


def legacy_tensor(key, storage_type, numel, shape, stride):
    storage = PersistentId(("storage", Global("torch", storage_type), key, "cpu", numel, None))
    return tensor(storage, shape, stride)


def safetensors(name, entries, data_override=None, header_override=None):
    """entries: (tensor name, dtype, shape, bytes). Offsets are laid out in order."""
    header, data, offset = {}, bytearray(), 0
    for tensor_name, dtype, shape, payload in entries:
        header[tensor_name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(payload)]}
        data += payload
        offset += len(payload)
    header_bytes = header_override if header_override is not None else json.dumps(header).encode()
    header_bytes += b" " * (-len(header_bytes) % 8)
    write(name, struct.pack("<Q", len(header_bytes)) + header_bytes + (data_override if data_override is not None else bytes(data)))


def digits_safetensors(float_dtype="F32", element=4, overrides=None):
    overrides = overrides or {}
    entries = []
    for index, (name, shape, integer) in enumerate(DIGITS_CNN):
        if name in overrides:
            entries.append((name,) + overrides[name])
        elif integer:
            entries.append((name, "I64", shape, struct.pack("<q", 1000)))
        else:
            values = struct.unpack(f"<{count(shape)}f", floats(count(shape), index))
            fmt = {"F32": "f", "F64": "d", "F16": "e"}[float_dtype]
            entries.append((name, float_dtype, shape, struct.pack(f"<{len(values)}{fmt}", *values)))
    return entries


def leb128(value):
    out = bytearray()
    while True:
        byte = value & 0x7f
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def torchsharp_dat(entries):
    """TorchSharp's Module.save format: LEB128 count, then per entry name, type code, rank, sizes, data."""
    out = bytearray(leb128(len(entries)))
    for name, type_code, shape, data in entries:
        encoded = name.encode()
        out += leb128(len(encoded)) + encoded + leb128(type_code) + leb128(len(shape))
        for size in shape:
            out += leb128(size)
        out += data
    return bytes(out)


def digits_dat():
    entries = []
    for index, (name, shape, integer) in enumerate(DIGITS_CNN):
        entries.append((name, 4, shape, struct.pack("<q", 1000)) if integer else (name, 6, shape, floats(count(shape), index)))
    return entries


def dat_checkpoint(name, state_bytes, recorded_sha=None):
    write(name + ".dat", state_bytes)
    metadata = {
        "format": "LossLandscape.Checkpoint", "formatVersion": 1,
        "model": {"architecture": "DigitsCnn", "inputChannels": 1, "inputHeight": 8, "inputWidth": 8, "classCount": 10, "widthFactor": 1},
        "stateFile": name + ".dat",
        "stateSha256": recorded_sha or hashlib.sha256(state_bytes).hexdigest(),
        "epoch": 1,
    }
    write(name + ".json", json.dumps(metadata, indent=2).encode())


def main():
    for old in os.listdir(HERE):
        if old != os.path.basename(__file__) and not old.endswith(".md"):
            os.remove(os.path.join(HERE, old))

    # Valid files: each test reads one after its hostile files.
    valid_pt("valid-digits.pt")
    state, storages = digits_state(storage_reference=lambda key, storage_type, numel:
                                   PersistentId(("storage", Global("torch", storage_type), key, "cpu", numel, None)))
    write("valid-digits-legacy.pt", legacy(state, [(key, 8 if "num_batches" in name else 4, data)
                                                  for (name, _, _), (key, data) in zip(DIGITS_CNN, storages)]))
    safetensors("valid-digits-f16.safetensors", digits_safetensors("F16"))
    safetensors("valid-digits-f64.safetensors", digits_safetensors("F64"))
    # expand(): a zero-stride view of one element, as position-id buffers are saved: legal.
    state, storages = digits_state({"conv2.weight": ((32, 16, 3, 3), (0, 0, 0, 0), "FloatStorage", 1, floats(1, 1))})
    write_zip("valid-digits-expanded-view.pt", pickle(state), storages)
    dat_checkpoint("valid-digits-dat", torchsharp_dat(digits_dat()))

    # nesting: stack depth and hash work.
    zip_of_pickle("nesting-tuple-key-100k.pt", dict_with_key(b")" + b"\x85" * 100_000))
    # t_{k+1} = (t_k, t_k) through the memo: 80 levels, 2^80 nodes when expanded.
    # Each level is memoized and popped, so only the last stays on the stack.
    tower = b")q\x000" + b"h\x00h\x00\x86q\x000" * 80 + b"h\x00"
    zip_of_pickle("nesting-memo-hash-bomb.pt", dict_with_key(tower))
    zip_of_pickle("nesting-memo-hash-bomb-value.pt", b"\x80\x02}X\x01\x00\x00\x00k" + tower + b"s.")
    zip_of_pickle("nesting-lists-100k.pt", b"\x80\x02}X\x01\x00\x00\x00k" + b"(" * 100_000 + b"]" + b"l" * 100_000 + b"s.")
    zip_of_pickle("nesting-dicts-50k.pt", b"\x80\x02}X\x01\x00\x00\x00k" + b"(K\x01" * 50_000 + b"}" + b"d" * 50_000 + b"s.")
    zip_of_pickle("nesting-tuples-100k-value.pt", b"\x80\x02}X\x01\x00\x00\x00k)" + b"\x85" * 100_000 + b"s.")

    # integers: LONG1 sizes at and past 32 and 64 bits.
    for label, size in (("2pow31", 2**31), ("2pow32", 2**32), ("2pow63m1", 2**63 - 1), ("2pow64", 2**64)):
        state, storages = digits_state({"conv1.weight": ((size,), (1,), "FloatStorage", 144, floats(144, 0))})
        write_zip(f"integers-shape-{label}.pt", pickle(state), storages)
    state, storages = digits_state({"conv1.weight": ((16, 1, 3, 3), None, "FloatStorage", 2**32, floats(144, 0))})
    write_zip("integers-numel-2pow32.pt", pickle(state), storages)
    state, storages = digits_state({"conv1.weight": ((2**31, 2**31, 4), (0, 0, 0), "FloatStorage", 144, floats(144, 0))})
    write_zip("integers-count-overflows-64-bits.pt", pickle(state), storages)

    # budget: declared sizes far past the architecture's state.
    state, storages = digits_state({name: ((50_000, 50_000), (0, 0), "FloatStorage", 1, floats(1, 1))
                                    for name in ("conv1.weight", "conv2.weight", "conv3.weight")})
    write_zip("budget-zero-stride-views.pt", pickle(state), storages)
    # conv1.weight's shape is right but its strides walk 16M elements of a (deflated) 64 MB storage.
    span = 15 * 1_000_000 + 9
    state, storages = digits_state({"conv1.weight": ((16, 1, 3, 3), (1_000_000, 9, 3, 1), "FloatStorage", span, bytes(span * 4))})
    write_zip("budget-strided-span.pt", pickle(state), storages, compress={"0"})
    # A 256 MB record of zeros deflated to ~250 KB, declared honestly.
    bomb = 256 << 20
    state, storages = digits_state({"conv1.weight": ((16, 1, 3, 3), None, "FloatStorage", bomb // 4, bytes(bomb))})
    write_zip("budget-zip-bomb.pt", pickle(state), storages, compress={"0"})
    # The same record, its headers claiming 2 GB (what a reader trusting them would allocate).
    with open(os.path.join(HERE, "budget-zip-bomb.pt"), "rb") as file:
        data = bytearray(file.read())
    lying = 0x7fff_fff0
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_length = struct.unpack_from("<H", data, start + (26 if signature == b"PK\x03\x04" else 28))[0]
            name_start = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_start:name_start + name_length] == b"archive/data/0":
                struct.pack_into("<I", data, start + size_offset, lying)
            start += 4
    write("budget-zip-bomb-lying-size.pt", bytes(data))
    # Legacy: a zero-stride view of a 1-element storage, shaped 50000×50000.
    state = OrderedDict([(name, legacy_tensor(str(i), "LongStorage" if integer else "FloatStorage", 1,
                                              (50_000, 50_000) if name == "conv1.weight" else shape,
                                              (0, 0) if name == "conv1.weight" else (0,) * len(shape)))
                         for i, (name, shape, integer) in enumerate(DIGITS_CNN)])
    write("budget-legacy-zero-stride.pt", legacy(state, [(str(i), 8 if integer else 4, b"\0" * (8 if integer else 4)) for i, (_, _, integer) in enumerate(DIGITS_CNN)]))
    # Legacy storage declaring 2^40 elements in a tiny file.
    state, storages = digits_state()
    write("budget-legacy-storage-2pow40.pt", legacy(state, [(key, 4, data) for key, data in storages], storage_count_override=2**40))

    # duplicate zip records: which copy counts would depend on the reader.
    state, storages = digits_state()
    write_zip("duplicate-data-pkl.pt", pickle(state), storages, duplicate=("archive/data.pkl", pickle(digits_state({"conv1.weight": ((16, 1, 3, 3), None, "FloatStorage", 144, bytes(576))})[0])))
    write_zip("duplicate-storage.pt", pickle(state), storages, duplicate=("archive/data/0", bytes(576)))

    # dtypes: integers are never cast to weights; counts stay integers.
    for dtype, size in (("I32", 4), ("I16", 2), ("U8", 1), ("BOOL", 1), ("I64", 8)):
        safetensors(f"dtypes-conv1-{dtype}.safetensors", digits_safetensors(overrides={"conv1.weight": (dtype, (16, 1, 3, 3), struct.pack("<i", 10**9) * (144 * size // 4) if size >= 4 else bytes(144 * size))}))
    safetensors("dtypes-num-batches-tracked-F32.safetensors", digits_safetensors(overrides={"bn1.num_batches_tracked": ("F32", (), struct.pack("<f", 1000.0))}))
    state, storages = digits_state({"conv1.weight": ((16, 1, 3, 3), None, "IntStorage", 144, struct.pack("<i", 10**9) * 144)})
    write_zip("dtypes-conv1-int-storage.pt", pickle(state), storages)
    safetensors("dtypes-unknown-F8.safetensors", digits_safetensors(overrides={"conv1.weight": ("F8_E4M3", (16, 1, 3, 3), bytes(144))}))

    # dat: our own format, its SHA-256 recorded in the side file.
    state_bytes = bytearray(torchsharp_dat(digits_dat()))
    original_sha = hashlib.sha256(state_bytes).hexdigest()
    state_bytes[len(state_bytes) // 2] ^= 0x40
    dat_checkpoint("dat-flipped-byte", bytes(state_bytes), original_sha)
    huge = digits_dat()
    huge[0] = ("conv1.weight", 6, (2**40, 2**40), b"")
    dat_checkpoint("dat-size-overflows", torchsharp_dat(huge))
    huge[0] = ("conv1.weight", 6, (750_000_000,), b"")
    dat_checkpoint("dat-3gb-declared", torchsharp_dat(huge))

    # Heads of sparse multi-GB files the test extends with truncate (3 GB tensors).
    # Our format: one 750M-element float32 tensor (the side file names DigitsCnn).
    dat_checkpoint("sparse-3gb-ours", torchsharp_dat([("conv1.weight", 6, (750_000_000,), b"")]))
    os.replace(os.path.join(HERE, "sparse-3gb-ours.dat"), os.path.join(HERE, "sparse-3gb-ours.dat.head"))
    sparse_header = json.dumps({"conv1.weight": {"dtype": "F32", "shape": [750_000_000], "data_offsets": [0, 3_000_000_000]}}).encode()
    write("sparse-3gb.safetensors.head", struct.pack("<Q", len(sparse_header)) + sparse_header)
    state = OrderedDict([("conv1.weight", legacy_tensor("0", "FloatStorage", 750_000_000, (750_000_000,), (1,)))])
    write("sparse-3gb-legacy.pt.head", pickle(0x1950a86a20f9469cfc6c) + pickle(1001) + pickle({"protocol_version": 1001, "little_endian": True}) + pickle(state) + pickle(["0"]) + struct.pack("<q", 750_000_000))

    # malformed: truncations, bad magic, globals off the allowlist, wrong shapes.
    with open(os.path.join(HERE, "valid-digits.pt"), "rb") as file:
        valid = file.read()
    write("malformed-truncated-zip.pt", valid[:len(valid) // 2])
    state, storages = digits_state()
    whole = pickle(state)
    write_zip("malformed-truncated-pickle.pt", whole[:len(whole) // 2], storages)
    with open(os.path.join(HERE, "valid-digits-legacy.pt"), "rb") as file:
        valid_legacy = file.read()
    write("malformed-truncated-legacy.pt", valid_legacy[:len(valid_legacy) - 1000])
    write("malformed-bad-magic.pt", b"NOTAPICKLE" * 20)
    write("malformed-empty.pt", b"")
    write("malformed-legacy-wrong-magic.pt", pickle(12345) + pickle(1001))
    write_zip("malformed-big-endian.pt", pickle(state), storages, byteorder=b"big")
    zip_of_pickle("malformed-global-os-system.pt", b"\x80\x02cposix\nsystem\nX\x04\x00\x00\x00true\x85R.")
    zip_of_pickle("malformed-global-builtins-eval.pt", b"\x80\x02cbuiltins\neval\nX\x01\x00\x00\x001\x85R.")
    zip_of_pickle("malformed-stack-global-popen.pt", b"\x80\x04\x8c\nsubprocess\x8c\x05Popen\x93X\x04\x00\x00\x00true\x85R.")
    zip_of_pickle("malformed-inst-opcode.pt", b"\x80\x02(X\x01\x00\x00\x00xios\nsystem\n.")
    zip_of_pickle("malformed-protocol-9.pt", b"\x80\x09}.")
    zip_of_pickle("malformed-unknown-opcode.pt", b"\x80\x02\xff.")
    zip_of_pickle("malformed-memo-never-stored.pt", b"\x80\x02h\x07.")
    zip_of_pickle("malformed-not-a-dict.pt", pickle([1, 2, 3]))
    state, storages = digits_state({"conv1.weight": ((16, 1, 5, 5), None, "FloatStorage", 400, floats(400, 0))})
    write_zip("malformed-shape-mismatch.pt", pickle(state), storages)
    state, storages = digits_state(drop={"linear.bias"})
    write_zip("malformed-missing-key.pt", pickle(state), storages)
    state, storages = digits_state(extra=[("fc9.weight", (4, 4))])
    write_zip("malformed-extra-key.pt", pickle(state), storages)
    state, storages = digits_state({"conv1.weight": ((16, 1, 3, 3), None, "FloatStorage", 10, floats(10, 0))})
    write_zip("malformed-storage-too-short.pt", pickle(state), storages)
    state, storages = digits_state({"conv1.weight": ((16, 1, 3, 3), (9, -9, 3, 1), "FloatStorage", 144, floats(144, 0))})
    write_zip("malformed-negative-stride.pt", pickle(state), storages)
    bad_id = OrderedDict([("conv1.weight", tensor(PersistentId(("storage", "not a type", "0", "cpu", 144)), (16, 1, 3, 3)))])
    write_zip("malformed-persistent-id.pt", pickle(bad_id), [("0", floats(144, 0))])
    safetensors("malformed-header-length-huge.safetensors", [], header_override=b"{}")
    with open(os.path.join(HERE, "malformed-header-length-huge.safetensors"), "r+b") as file:
        file.write(struct.pack("<Q", 2**62))
    safetensors("malformed-header-not-json.safetensors", [], header_override=b"{not json")
    overlapping = digits_safetensors()
    safetensors("malformed-offsets-overlap.safetensors", overlapping, header_override=json.dumps(
        {name: {"dtype": dtype, "shape": list(shape), "data_offsets": [0, len(payload)]} for name, dtype, shape, payload in overlapping}).encode(),
        data_override=b"".join(payload for *_, payload in overlapping))
    safetensors("malformed-offsets-past-end.safetensors", [("conv1.weight", "F32", (16, 1, 3, 3), floats(144, 0))], data_override=bytes(16))
    safetensors("malformed-truncated.safetensors", digits_safetensors())
    with open(os.path.join(HERE, "malformed-truncated.safetensors"), "r+b") as file:
        file.truncate(os.path.getsize(file.name) - 100)
    dat_checkpoint("malformed-dat-truncated", torchsharp_dat(digits_dat())[:3000])


if __name__ == "__main__":
    main()
