#!/usr/bin/python3
"""An independent reference for Sculpt's runtime: llama2.c's tokenizer and forward pass,
written from run.c's description in numpy, in float64.

Run with Debian's /usr/bin/python3 (python3-numpy). Two commands, each printing JSON:

  llama2c_reference.py encode TOKENIZER TEXT...
      the token ids run.c's encode() gives each TEXT (with BOS), as a list of lists
  llama2c_reference.py perplexity MODEL TOKENIZER TEXT_FILE MAX_DOCS
      Sculpt's perplexity protocol: {"documents", "tokens", "mean_nll"}
"""

import json
import struct
import sys

import numpy as np


def read_tokenizer(path):
    """tok*.bin: int32 max_token_length, then per token float32 score, int32 length, bytes."""
    data = open(path, "rb").read()
    offset = 4
    pieces, scores = [], []
    while offset < len(data):
        score, length = struct.unpack_from("<fi", data, offset)
        offset += 8
        pieces.append(data[offset:offset + length])
        scores.append(score)
        offset += length
    return pieces, scores


def encode(pieces, scores, text):
    """run.c's encode with BOS: a " " dummy prefix, one token per UTF-8 code point (or one
    per byte, id byte+3, when the code point is not a piece), then repeatedly merge the
    adjacent pair whose concatenation is the highest-scoring piece (leftmost on ties)."""
    lookup = {piece: i for i, piece in enumerate(pieces)}
    tokens = [1]
    if text:
        tokens.append(lookup[b" "])
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and (text[j] & 0xC0) == 0x80 and j - i < 4:
            j += 1
        point = text[i:j]
        if point in lookup:
            tokens.append(lookup[point])
        else:
            tokens.extend(b + 3 for b in point)
        i = j
    while True:
        best, best_score = -1, -1e10
        for k in range(len(tokens) - 1):
            merged = lookup.get(pieces[tokens[k]] + pieces[tokens[k + 1]])
            if merged is not None and scores[merged] > best_score:
                best, best_score = k, scores[merged]
        if best < 0:
            return tokens
        tokens[best:best + 2] = [lookup[pieces[tokens[best]] + pieces[tokens[best + 1]]]]


def read_model(path):
    """The legacy llama2.c checkpoint: 7 int32 of config, then float32 arrays in file order."""
    data = open(path, "rb").read()
    dim, hidden, layers, heads, kv_heads, vocab, seq_len = struct.unpack_from("<7i", data, 0)
    shared = vocab > 0
    vocab = abs(vocab)
    floats = np.frombuffer(data, dtype="<f4", offset=28).astype(np.float64)
    head_size = dim // heads
    kv_dim = head_size * kv_heads
    cursor = 0

    def take(*shape):
        nonlocal cursor
        n = int(np.prod(shape))
        array = floats[cursor:cursor + n].reshape(shape)
        cursor += n
        return array

    m = {"dim": dim, "heads": heads, "kv_heads": kv_heads, "seq_len": seq_len}
    m["embed"] = take(vocab, dim)
    m["rms_att"] = take(layers, dim)
    m["wq"] = take(layers, dim, dim)
    m["wk"] = take(layers, kv_dim, dim)
    m["wv"] = take(layers, kv_dim, dim)
    m["wo"] = take(layers, dim, dim)
    m["rms_ffn"] = take(layers, dim)
    m["w1"] = take(layers, hidden, dim)
    m["w2"] = take(layers, dim, hidden)
    m["w3"] = take(layers, hidden, dim)
    m["rms_final"] = take(dim)
    take(seq_len * head_size)  # precomputed RoPE tables, unused
    m["classifier"] = m["embed"] if shared else take(vocab, dim)
    m["layers"] = layers
    return m


def rmsnorm(x, weight):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + 1e-5) * weight


def rotate(x, positions, head_size):
    """run.c's RoPE: each interleaved pair (2i, 2i+1) of a head turns by pos / 10000^(2i/head_size)."""
    t, n = x.shape
    pairs = x.reshape(t, n // head_size, head_size // 2, 2)
    freq = 1.0 / 10000.0 ** (np.arange(0, head_size, 2) / head_size)
    angle = positions[:, None] * freq[None, :]
    cos, sin = np.cos(angle)[:, None, :], np.sin(angle)[:, None, :]
    a, b = pairs[..., 0], pairs[..., 1]
    return np.stack([a * cos - b * sin, a * sin + b * cos], axis=-1).reshape(t, n)


def logits(m, tokens):
    """Every position's logits for one sequence, all positions at once under a causal mask."""
    t = len(tokens)
    dim, heads, kv_heads = m["dim"], m["heads"], m["kv_heads"]
    head_size = dim // heads
    positions = np.arange(t, dtype=np.float64)
    future = np.triu(np.ones((t, t), dtype=bool), 1)
    x = m["embed"][tokens]
    for l in range(m["layers"]):
        h = rmsnorm(x, m["rms_att"][l])
        q = rotate(h @ m["wq"][l].T, positions, head_size).reshape(t, heads, head_size)
        k = rotate(h @ m["wk"][l].T, positions, head_size).reshape(t, kv_heads, head_size)
        v = (h @ m["wv"][l].T).reshape(t, kv_heads, head_size)
        out = np.empty((t, heads, head_size))
        for head in range(heads):
            kv = head // (heads // kv_heads)
            scores = q[:, head] @ k[:, kv].T / np.sqrt(head_size)
            scores[future] = -np.inf
            weights = np.exp(scores - scores.max(axis=1, keepdims=True))
            weights /= weights.sum(axis=1, keepdims=True)
            out[:, head] = weights @ v[:, kv]
        x = x + out.reshape(t, dim) @ m["wo"][l].T
        h = rmsnorm(x, m["rms_ffn"][l])
        gate = h @ m["w1"][l].T
        x = x + (gate / (1 + np.exp(-gate)) * (h @ m["w3"][l].T)) @ m["w2"][l].T
    return rmsnorm(x, m["rms_final"]) @ m["classifier"].T


def perplexity(model_path, tokenizer_path, text_path, max_docs):
    """Blank-line-separated documents, stripped, encoded with BOS, cut to seq_len; the NLL
    of every token after the first, averaged over all tokens of all documents."""
    m = read_model(model_path)
    pieces, scores = read_tokenizer(tokenizer_path)
    documents = [d.strip() for d in open(text_path, "rb").read().split(b"\n\n")]
    documents = [d for d in documents if d][:max_docs]
    total, count = 0.0, 0
    for document in documents:
        tokens = encode(pieces, scores, document)[:m["seq_len"]]
        z = logits(m, tokens)[:-1]
        z = z - z.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        total -= log_probs[np.arange(len(tokens) - 1), tokens[1:]].sum()
        count += len(tokens) - 1
    return {"documents": len(documents), "tokens": count, "mean_nll": total / count}


def main(argv):
    if len(argv) >= 3 and argv[0] == "encode":
        pieces, scores = read_tokenizer(argv[1])
        print(json.dumps([encode(pieces, scores, text.encode("utf-8")) for text in argv[2:]]))
    elif len(argv) == 5 and argv[0] == "perplexity":
        print(json.dumps(perplexity(argv[1], argv[2], argv[3], int(argv[4]))))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
