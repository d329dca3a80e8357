#!/usr/bin/python3
"""An independent reference for Sculpt's GPT-2 runtime: the forward pass of transformers'
GPT2LMHeadModel written from its description in numpy, in float64.

Run with Debian's /usr/bin/python3 (python3-numpy). Two commands, each printing JSON:

  gpt2_reference.py logits FOLDER TOKEN...
      the logits [len(TOKEN...), vocab_size] for one sequence starting at position 0
  gpt2_reference.py nll FOLDER IDS_JSON
      IDS_JSON is a list of token id lists (each cut to the context already); the negative
      log-likelihood of every token after the first, as {"tokens", "mean_nll"}

FOLDER holds config.json and model.safetensors (float32), tensor names with or without the
"transformer." prefix.
"""

import json
import struct
import sys

import numpy as np


def read_safetensors(path):
    data = open(path, "rb").read()
    (header_size,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + header_size])
    header.pop("__metadata__", None)
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            sys.exit(f"{name}: only F32 tensors are read here")
        start, end = info["data_offsets"]
        raw = data[8 + header_size + start:8 + header_size + end]
        tensors[name] = np.frombuffer(raw, dtype="<f4").astype(np.float64).reshape(info["shape"])
    return tensors


def read_model(folder):
    config = json.load(open(f"{folder}/config.json"))
    tensors = read_safetensors(f"{folder}/model.safetensors")
    prefix = "transformer." if "transformer.wte.weight" in tensors else ""
    return config, {name[len(prefix):]: t for name, t in tensors.items() if name.startswith(prefix)}


def layer_norm(x, weight, bias, eps):
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * weight + bias


def gelu_new(x):
    """GELU's tanh approximation, transformers' NewGELUActivation."""
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))


def conv1d(x, t, name):
    """transformers' Conv1D: the weight is stored [in, out], so y = x·W + b."""
    return x @ t[name + ".weight"] + t[name + ".bias"]


def logits(config, t, tokens):
    dim, heads = config["n_embd"], config["n_head"]
    eps = config.get("layer_norm_epsilon", 1e-5)
    head_size = dim // heads
    n = len(tokens)
    future = np.triu(np.ones((n, n), dtype=bool), 1)
    x = t["wte.weight"][tokens] + t["wpe.weight"][:n]
    for l in range(config["n_layer"]):
        p = f"h.{l}."
        h = layer_norm(x, t[p + "ln_1.weight"], t[p + "ln_1.bias"], eps)
        q, k, v = np.split(conv1d(h, t, p + "attn.c_attn"), 3, axis=1)
        out = np.empty((n, dim))
        for head in range(heads):
            cols = slice(head * head_size, (head + 1) * head_size)
            scores = q[:, cols] @ k[:, cols].T / np.sqrt(head_size)
            scores[future] = -np.inf
            weights = np.exp(scores - scores.max(axis=1, keepdims=True))
            weights /= weights.sum(axis=1, keepdims=True)
            out[:, cols] = weights @ v[:, cols]
        x = x + conv1d(out, t, p + "attn.c_proj")
        h = layer_norm(x, t[p + "ln_2.weight"], t[p + "ln_2.bias"], eps)
        x = x + conv1d(gelu_new(conv1d(h, t, p + "mlp.c_fc")), t, p + "mlp.c_proj")
    return layer_norm(x, t["ln_f.weight"], t["ln_f.bias"], eps) @ t["wte.weight"].T


def nll(config, t, sequences):
    total, count = 0.0, 0
    for tokens in sequences:
        z = logits(config, t, tokens)[:-1]
        z = z - z.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        total -= log_probs[np.arange(len(tokens) - 1), tokens[1:]].sum()
        count += len(tokens) - 1
    return {"tokens": count, "mean_nll": total / count}


def main(argv):
    if len(argv) >= 3 and argv[0] == "logits":
        config, t = read_model(argv[1])
        print(json.dumps(logits(config, t, [int(a) for a in argv[2:]]).tolist()))
    elif len(argv) == 3 and argv[0] == "nll":
        config, t = read_model(argv[1])
        print(json.dumps(nll(config, t, json.load(open(argv[2])))))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
