"""The baseline of bench_tokens: a LLaMA forward pass written in eager PyTorch.

Run with Debian's /usr/bin/python3 and its python3-torch:

    llama_forward.py MODEL_DIR TOKENS THREADS REPEATS

MODEL_DIR holds config.json and model.safetensors in Hugging Face's LLaMA layout (rotary
pairs (i, i + head_dim/2)); the safetensors header is parsed here with json and the tensors
read with numpy, so no package beyond torch and numpy is needed. TOKENS is the documents to
run, as bench_tokens writes them: little-endian int32, the count, then for each document its
length and its token ids. Each document is one causal pass under torch.inference_mode();
the negative log-likelihood of every token after the first is summed, as sculpt's perplexity
protocol does. Prints one JSON line: the best of REPEATS timed passes over all documents
(after one untimed warm-up document), the tokens run, and the NLL sum.
"""

import json
import math
import struct
import sys
import time

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F16": np.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = np.fromfile(f, dtype=np.uint8)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        array = data[begin:end].view(DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.astype(np.float32))
    return tensors


def read_documents(path):
    ids = np.fromfile(path, dtype="<i4")
    count, at, documents = int(ids[0]), 1, []
    for _ in range(count):
        length = int(ids[at])
        documents.append(torch.from_numpy(ids[at + 1 : at + 1 + length].astype(np.int64)))
        at += 1 + length
    return documents


class Llama:
    def __init__(self, folder):
        with open(f"{folder}/config.json") as f:
            c = json.load(f)
        self.w = read_safetensors(f"{folder}/model.safetensors")
        self.layers = c["num_hidden_layers"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads", self.heads)
        self.head_dim = c.get("head_dim", c["hidden_size"] // self.heads)
        self.eps = c.get("rms_norm_eps", 1e-6)
        head = self.w.get("lm_head.weight")
        self.head = head if head is not None else self.w["model.embed_tokens.weight"]
        positions = c["max_position_embeddings"]
        theta = c.get("rope_theta", 10000.0)
        frequencies = theta ** (-torch.arange(0, self.head_dim, 2, dtype=torch.float64) / self.head_dim)
        angles = torch.outer(torch.arange(positions, dtype=torch.float64), frequencies)
        self.cos = angles.cos().float()
        self.sin = angles.sin().float()

    def rms_norm(self, x, weight):
        return x * torch.rsqrt(x.square().mean(-1, keepdim=True) + self.eps) * weight

    def rotate(self, x):  # [heads, T, head_dim]
        t = x.shape[1]
        cos, sin = self.cos[:t], self.sin[:t]
        a, b = x.chunk(2, -1)
        return torch.cat([a * cos - b * sin, a * sin + b * cos], -1)

    def attention(self, p, x, mask):
        t = x.shape[0]
        w = self.w
        q = (x @ w[p + "self_attn.q_proj.weight"].T).view(t, self.heads, self.head_dim).transpose(0, 1)
        k = (x @ w[p + "self_attn.k_proj.weight"].T).view(t, self.kv_heads, self.head_dim).transpose(0, 1)
        v = (x @ w[p + "self_attn.v_proj.weight"].T).view(t, self.kv_heads, self.head_dim).transpose(0, 1)
        q, k = self.rotate(q), self.rotate(k)
        group = self.heads // self.kv_heads
        if group > 1:
            k = k.repeat_interleave(group, 0)
            v = v.repeat_interleave(group, 0)
        scores = (q @ k.transpose(1, 2) / math.sqrt(self.head_dim)).masked_fill(mask, float("-inf"))
        out = (scores.softmax(-1) @ v).transpose(0, 1).reshape(t, self.heads * self.head_dim)
        return out @ w[p + "self_attn.o_proj.weight"].T

    def forward(self, tokens):  # logits [T, vocab]
        w = self.w
        x = w["model.embed_tokens.weight"][tokens]
        t = tokens.shape[0]
        future = torch.ones(t, t, dtype=torch.bool).triu(1)  # what each position may not see
        for layer in range(self.layers):
            p = f"model.layers.{layer}."
            x = x + self.attention(p, self.rms_norm(x, w[p + "input_layernorm.weight"]), future)
            h = self.rms_norm(x, w[p + "post_attention_layernorm.weight"])
            gate = torch.nn.functional.silu(h @ w[p + "mlp.gate_proj.weight"].T)
            x = x + (gate * (h @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
        return self.rms_norm(x, w["model.norm.weight"]) @ self.head.T

    def nll(self, tokens):
        log_p = self.forward(tokens[:-1]).log_softmax(-1)
        return -log_p.gather(1, tokens[1:].unsqueeze(1)).sum().item()


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: llama_forward.py MODEL_DIR TOKENS THREADS REPEATS")
    torch.set_num_threads(int(sys.argv[3]))
    model = Llama(sys.argv[1])
    documents = read_documents(sys.argv[2])
    best, total = math.inf, 0.0
    with torch.inference_mode():
        model.nll(documents[0])
        for _ in range(int(sys.argv[4])):
            start = time.perf_counter()
            total = sum(model.nll(d) for d in documents)
            best = min(best, time.perf_counter() - start)
    tokens = sum(len(d) - 1 for d in documents)
    print(json.dumps({"seconds": best, "tokens": tokens, "nll_sum": total, "threads": torch.get_num_threads(),
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
