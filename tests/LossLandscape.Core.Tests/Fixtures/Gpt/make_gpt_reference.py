"""Writes a small seeded GPT-2 as the checkpoint folders people have, plus reference logits.
Run with Debian's PyTorch 1.13 (no transformers, no safetensors package, no PyPI here):
    /usr/bin/python3 make_gpt_reference.py
Not run in CI; its outputs are committed.

The model follows the public GPT-2 definition (Hugging Face's modeling_gpt2.GPT2LMHeadModel):
Conv1D layers as torch.addmm with weight [in, out], gelu_new (the tanh approximation), explicit
causal attention softmax(QK^T / sqrt(d)) with a mask, LayerNorm eps 1e-5, learned positions and
lm_head tied to wte. Size: 2 layers, 4 heads, 64 dims, vocabulary 256, 64 positions (about 120k
parameters, 0.5 MB in float32) so that all folders together stay a few MB.

Outputs (all in this folder):
  hf-f32/, hf-f16/, hf-bf16/   config.json + model.safetensors, canonical gpt2 names, no lm_head
  hf-sharded/                  two shards + model.safetensors.index.json (float32)
  hf-prefixed/                 "transformer." prefix and lm_head.weight (= wte), as GPT2LMHeadModel saves
  hf-legacy/                   with the h.N.attn.bias [1,1,P,P] and h.N.attn.masked_bias buffers
  nanogpt/ckpt.pt              nanoGPT's nn.Linear layout behind torch.compile's "_orig_mod." prefix
  gpt.torchscript.pt           torch.jit.script of the model; forward(tokens [B,T] int64) -> logits [B,T,V]
  reference.safetensors        tokens [3,16] int64; per variant f32/f16/bf16: logits.<v> float32 [3,16,V]
                               (weights of that dtype upcast to float32) and loss.<v> float64 [] (mean
                               next-token cross-entropy, computed in float64 from those float32 logits);
                               logits.nanogpt: the f32 weights through nanoGPT's exact-erf GELU
  tokens/train.bin, val.bin    uint16 little-endian token streams (< vocabulary) for pipeline tests
"""
import json
import math
import os
import shutil
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
N_LAYER, N_HEAD, N_EMBD, VOCAB, N_POSITIONS = 2, 4, 64, 256, 64
WINDOWS, WINDOW_LENGTH = 3, 16
SEED = 23
# GPT-2 draws its weights from N(0, initializer_range) with 0.02 as the default. The fixture uses 0.1
# so that activations reach the range where gelu_new and the exact erf GELU differ by more than the
# tests' 1e-5, and the logits are far from uniform: at 0.02 both differences drown in the tolerance.
INITIALIZER_RANGE = 0.1


class Conv1D(nn.Module):
    """GPT-2's Conv1D: a Linear whose weight is stored transposed, [in, out]; y = x W + b."""

    def __init__(self, nx: int, nf: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        shape = x.size()[:-1] + (self.weight.size(1),)
        return torch.addmm(self.bias, x.reshape(-1, x.size(-1)), self.weight).view(shape)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = Conv1D(N_EMBD, 3 * N_EMBD)
        self.c_proj = Conv1D(N_EMBD, N_EMBD)
        self.n_head = N_HEAD

    def forward(self, x):
        b, t, c = x.size()
        d = c // self.n_head
        q, k, v = self.c_attn(x).split(c, dim=2)
        q = q.view(b, t, self.n_head, d).transpose(1, 2)
        k = k.view(b, t, self.n_head, d).transpose(1, 2)
        v = v.view(b, t, self.n_head, d).transpose(1, 2)
        weights = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool, device=x.device))
        weights = weights.masked_fill(~causal, float("-inf"))
        y = torch.matmul(torch.softmax(weights, dim=-1), v)
        return self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = Conv1D(N_EMBD, 4 * N_EMBD)
        self.c_proj = Conv1D(4 * N_EMBD, N_EMBD)

    def forward(self, x):
        return self.c_proj(gelu_new(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(N_EMBD, eps=1e-5)
        self.attn = Attention()
        self.ln_2 = nn.LayerNorm(N_EMBD, eps=1e-5)
        self.mlp = Mlp()

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, N_EMBD)
        self.wpe = nn.Embedding(N_POSITIONS, N_EMBD)
        self.h = nn.ModuleList([Block() for _ in range(N_LAYER)])
        self.ln_f = nn.LayerNorm(N_EMBD, eps=1e-5)

    def forward(self, tokens):
        positions = torch.arange(tokens.size(1), dtype=torch.long, device=tokens.device)
        x = self.wte(tokens) + self.wpe(positions)
        for block in self.h:
            x = block(x)
        # The tied lm_head: no parameter of its own, so the named parameters are GPT-2's without lm_head.
        return F.linear(self.ln_f(x), self.wte.weight)


def initialise(model):
    """GPT-2's init (std INITIALIZER_RANGE, c_proj weights scaled by 1/sqrt(2 n_layer)); biases and LayerNorm
    parameters then moved off 0 and 1 so that a test notices if any of them is ignored."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("c_proj.weight"):
                p.normal_(0.0, INITIALIZER_RANGE / math.sqrt(2 * N_LAYER))
            elif name.endswith(".bias"):
                p.normal_(0.0, 0.02)
            elif ".ln_" in name or name.startswith("ln_"):
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            else:
                p.normal_(0.0, INITIALIZER_RANGE)


def config():
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "activation_function": "gelu_new",
        "layer_norm_epsilon": 1e-5,
        "n_layer": N_LAYER,
        "n_head": N_HEAD,
        "n_embd": N_EMBD,
        "vocab_size": VOCAB,
        "n_positions": N_POSITIONS,
        "n_ctx": N_POSITIONS,
        "n_inner": None,
        "initializer_range": INITIALIZER_RANGE,
        "tie_word_embeddings": True,
    }


SAFETENSORS_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64", torch.int64: "I64"}


def raw_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        # numpy has no bfloat16: the raw 16-bit patterns are the file's bytes.
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors, metadata=None):
    """The format by hand: u64 LE header length, JSON header {name: {dtype, shape, data_offsets}}
    (+ __metadata__), padded with spaces to 8 bytes as the reference writer does, then the data."""
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        data = raw_bytes(t)
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    return offset


def hf_folder(name):
    folder = os.path.join(HERE, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config(), f, indent=2)
    return folder


def canonical_state(model, dtype):
    return {name: p.detach().to(dtype) for name, p in model.named_parameters()}


def legacy_buffers():
    causal = torch.tril(torch.ones(N_POSITIONS, N_POSITIONS)).view(1, 1, N_POSITIONS, N_POSITIONS)
    return causal, torch.tensor(-1e4)


def write_hf_folders(model):
    for variant, dtype in (("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16)):
        folder = hf_folder(f"hf-{variant}")
        write_safetensors(os.path.join(folder, "model.safetensors"), canonical_state(model, dtype), {"format": "pt"})

    state = canonical_state(model, torch.float32)
    folder = hf_folder("hf-sharded")
    names = list(state)
    split = names.index("h.1.ln_1.weight")
    files = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    total = 0
    weight_map = {}
    for file, part in zip(files, (names[:split], names[split:])):
        total += write_safetensors(os.path.join(folder, file), {n: state[n] for n in part}, {"format": "pt"})
        weight_map.update({n: file for n in part})
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)

    folder = hf_folder("hf-prefixed")
    prefixed = {"transformer." + n: t for n, t in state.items()}
    prefixed["lm_head.weight"] = state["wte.weight"]
    write_safetensors(os.path.join(folder, "model.safetensors"), prefixed, {"format": "pt"})

    folder = hf_folder("hf-legacy")
    causal, masked_bias = legacy_buffers()
    legacy = {}
    for n, t in state.items():
        legacy[n] = t
        if n.endswith(".ln_1.bias"):
            block = n[: -len(".ln_1.bias")]
            legacy[block + ".attn.bias"] = causal
            legacy[block + ".attn.masked_bias"] = masked_bias
    write_safetensors(os.path.join(folder, "model.safetensors"), legacy, {"format": "pt"})


def nanogpt_state(model):
    """nanoGPT's GPT: nn.Linear layers ([out, in] = our Conv1D weight transposed), transformer.*
    names, lm_head.weight sharing wte's storage, and (torch < 2 has no flash attention) the causal
    attn.bias buffer; torch.compile's wrapper adds _orig_mod. to every key."""
    causal, _ = legacy_buffers()
    state = {}
    wte = model.wte.weight.detach().clone()
    for name, p in model.named_parameters():
        t = wte if name == "wte.weight" else p.detach().clone()
        if any(name.endswith(s) for s in ("c_attn.weight", "c_proj.weight", "c_fc.weight")):
            t = t.t().contiguous()
        state["transformer." + name] = t
        if name.endswith(".ln_1.bias"):
            state["transformer." + name[: -len(".ln_1.bias")] + ".attn.bias"] = causal
    state["lm_head.weight"] = wte
    return {"_orig_mod." + n: t for n, t in state.items()}


def write_nanogpt(model):
    folder = os.path.join(HERE, "nanogpt")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    model_args = {"n_layer": N_LAYER, "n_head": N_HEAD, "n_embd": N_EMBD, "block_size": N_POSITIONS, "bias": True, "vocab_size": VOCAB, "dropout": 0.0}
    checkpoint = {
        "model": nanogpt_state(model),
        "model_args": model_args,
        "iter_num": 0,
        "best_val_loss": 1e9,
        "config": dict(model_args, dataset="tokens", batch_size=12, learning_rate=6e-4, compile=True),
    }
    torch.save(checkpoint, os.path.join(folder, "ckpt.pt"))


def next_token_loss(logits, tokens):
    return F.cross_entropy(logits[:, :-1].double().reshape(-1, VOCAB), tokens[:, 1:].reshape(-1)).item()


def write_reference(model, tokens):
    tensors = {"tokens": tokens}
    state32 = canonical_state(model, torch.float32)
    for variant, dtype in (("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16)):
        upcast = Gpt()
        upcast.load_state_dict({n: t.to(dtype).to(torch.float32) for n, t in state32.items()})
        with torch.no_grad():
            logits = upcast(tokens)
        tensors[f"logits.{variant}"] = logits
        tensors[f"loss.{variant}"] = torch.tensor(next_token_loss(logits, tokens), dtype=torch.float64)

    exact = Gpt()
    exact.load_state_dict(state32)
    for block in exact.h:
        block.mlp.forward = lambda x, m=block.mlp: m.c_proj(F.gelu(m.c_fc(x)))
    with torch.no_grad():
        tensors["logits.nanogpt"] = exact(tokens)
    write_safetensors(os.path.join(HERE, "reference.safetensors"), tensors)
    return tensors


def write_token_streams():
    """A learnable stream rather than noise: a seeded first-order Markov chain in which each token
    has four likely successors, so a short training run has something to find."""
    generator = torch.Generator().manual_seed(SEED + 1)
    successors = torch.randint(0, VOCAB, (VOCAB, 4), generator=generator)
    folder = os.path.join(HERE, "tokens")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for file, count in (("train.bin", 4096), ("val.bin", 1024)):
        stream = [int(torch.randint(0, VOCAB, (1,), generator=generator))]
        choices = torch.randint(0, 4, (count,), generator=generator)
        for i in range(1, count):
            stream.append(int(successors[stream[-1], choices[i]]))
        with open(os.path.join(folder, file), "wb") as f:
            f.write(struct.pack(f"<{count}H", *stream))


def main():
    torch.manual_seed(SEED)
    model = Gpt()
    initialise(model)
    model.eval()
    tokens = torch.randint(0, VOCAB, (WINDOWS, WINDOW_LENGTH), generator=torch.Generator().manual_seed(SEED))

    write_hf_folders(model)
    write_nanogpt(model)
    reference = write_reference(model, tokens)

    scripted = torch.jit.script(model)
    path = os.path.join(HERE, "gpt.torchscript.pt")
    scripted.save(path)
    loaded = torch.jit.load(path)
    with torch.no_grad():
        difference = (loaded(tokens) - reference["logits.f32"]).abs().max().item()
    assert difference < 1e-5, difference  # the scripted graph may order float sums differently
    assert [n for n, _ in loaded.named_parameters()] == list(canonical_state(model, torch.float32))

    write_token_streams()
    for variant in ("f32", "f16", "bf16"):
        print(variant, "loss", reference[f"loss.{variant}"].item(), "max |logit|", reference[f"logits.{variant}"].abs().max().item())
    print("exact GELU vs gelu_new max logit difference", (reference["logits.nanogpt"] - reference["logits.f32"]).abs().max().item())


if __name__ == "__main__":
    main()
