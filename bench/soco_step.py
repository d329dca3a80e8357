"""The baseline of bench_soco_step: SoCo's optimisation step written in eager PyTorch.

Run with Debian's /usr/bin/python3 and its python3-torch:

    soco_step.py MODEL_DIR TOKENS LOGITS.npy THREADS STEPS TARGET LEARNING_RATE RATIO_WEIGHT SPARSITY_WEIGHT

MODEL_DIR is the model as a Hugging Face folder (read with llama_forward.py); TOKENS the
calibration sequences in llama_forward.py's format, all of them used by every step; LOGITS.npy
sculpt's logits for the first sequence, to check both sides start from the same model.

Every projection W is decomposed W = A·diag(σ)·B (SVD in float64, as sculpt does) and runs as
x·Bᵀ·diag(σ ⊙ g(s))·Aᵀ with g(s) = max(s, 0) and the gradient passed straight through, the
scores s starting at 1. A step is SoCo's stage 1 (plugins/soco/soco_training.cpp): the sequences
as rows of one batch padded at their ends (causal attention keeps padding out of every real
position's view), KL(teacher ‖ student) averaged over each row's tokens and then over the rows, teacher log-probabilities computed once beforehand, plus
ratio_weight·(soft ratio − target)² + sparsity_weight·(cost-weighted mean of g); one backward to
the scores; an Adam step; and the log sculpt's step produces (loss, active components, hard
ratio). Prints one JSON line: each step's wall time and loss, the logit differences, the threads.
"""

import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from llama_forward import Llama, read_documents


class ScoredLlama(Llama):
    """llama_forward's model with every projection going through project(), which runs the
    scored low-rank form once factors are installed and the dense weight before."""

    def __init__(self, folder):
        super().__init__(folder)
        self.names = [f"model.layers.{l}.{p}" for l in range(self.layers)
                      for p in ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                                "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")]
        self.factors = {}  # name -> (A [out, p], σ [p], B [p, in])
        self.scales = {}   # name -> σ ⊙ g(s), set every step

    def decompose(self):
        for name in self.names:
            u, sigma, vt = torch.linalg.svd(self.w[name + ".weight"].double(), full_matrices=False)
            self.factors[name] = (u.float().contiguous(), sigma.float(), vt.float().contiguous())

    def project(self, x, name):
        if name not in self.scales:
            return F.linear(x, self.w[name + ".weight"])
        a, _, b = self.factors[name]
        return F.linear(F.linear(x, b) * self.scales[name], a)

    def rotate(self, x):  # [B, heads, T, head_dim]
        t = x.shape[-2]
        cos, sin = self.cos[:t], self.sin[:t]
        a, b = x.chunk(2, -1)
        return torch.cat([a * cos - b * sin, a * sin + b * cos], -1)

    def attention(self, p, x, mask):  # x [B, T, dim]
        b, t = x.shape[:2]
        q = self.project(x, p + "self_attn.q_proj").view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.project(x, p + "self_attn.k_proj").view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.project(x, p + "self_attn.v_proj").view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = self.rotate(q), self.rotate(k)
        group = self.heads // self.kv_heads
        if group > 1:
            k = k.repeat_interleave(group, 1)
            v = v.repeat_interleave(group, 1)
        scores = (q @ k.transpose(-1, -2) / self.head_dim**0.5).masked_fill(mask, float("-inf"))
        out = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, self.heads * self.head_dim)
        return self.project(out, p + "self_attn.o_proj")

    def forward(self, tokens):  # logits [B, T, vocab] for rows [B, T]
        w = self.w
        x = w["model.embed_tokens.weight"][tokens]
        t = tokens.shape[1]
        future = torch.ones(t, t, dtype=torch.bool).triu(1)
        for layer in range(self.layers):
            p = f"model.layers.{layer}."
            x = x + self.attention(p, self.rms_norm(x, w[p + "input_layernorm.weight"]), future)
            h = self.rms_norm(x, w[p + "post_attention_layernorm.weight"])
            gate = F.silu(self.project(h, p + "mlp.gate_proj"))
            x = x + self.project(gate * self.project(h, p + "mlp.up_proj"), p + "mlp.down_proj")
        return self.rms_norm(x, w["model.norm.weight"]) @ self.head.T


def main():
    if len(sys.argv) != 10:
        sys.exit("usage: soco_step.py MODEL_DIR TOKENS LOGITS.npy THREADS STEPS TARGET LEARNING_RATE "
                 "RATIO_WEIGHT SPARSITY_WEIGHT")
    folder, tokens, logits = sys.argv[1:4]
    threads, steps = int(sys.argv[4]), int(sys.argv[5])
    target, rate, ratio_weight, sparsity_weight = map(float, sys.argv[6:10])
    torch.set_num_threads(threads)
    model = ScoredLlama(folder)
    sequences = read_documents(tokens)
    lengths = torch.tensor([len(s) for s in sequences])
    rows = torch.nn.utils.rnn.pad_sequence(sequences, batch_first=True)
    counted = torch.arange(rows.shape[1])[None, :] < lengths[:, None]

    with torch.no_grad():
        teacher = model.forward(rows).log_softmax(-1)
        dense_logits = model.forward(sequences[0][None])[0]
        model.decompose()
        model.scales = {n: sigma for n, (_, sigma, _) in model.factors.items()}
        student_logits = model.forward(sequences[0][None])[0]
    reference = torch.from_numpy(np.load(logits))

    names = model.names
    scores = [torch.ones_like(model.factors[n][1], requires_grad=True) for n in names]
    sizes = [(model.factors[n][0].shape[0], model.factors[n][2].shape[1]) for n in names]  # W [m, n]
    dense = float(sum(m * n for m, n in sizes))
    optimizer = torch.optim.Adam(scores, lr=rate)

    times, losses = [], []
    last = time.perf_counter()
    for _ in range(steps):
        optimizer.zero_grad()
        gains = [s + (s.clamp_min(0) - s).detach() for s in scores]
        for n, g in zip(names, gains):
            model.scales[n] = model.factors[n][1] * g
        per_token = (teacher.exp() * (teacher - model.forward(rows).log_softmax(-1))).sum(-1)
        kl = (torch.where(counted, per_token, 0).sum(1) / lengths).mean()
        ratio = 1 - sum(g.clamp(0, 1).sum() * (m + n) for g, (m, n) in zip(gains, sizes)) / dense
        sparsity = sum(g.sum() * (m + n) for g, (m, n) in zip(gains, sizes)) / dense
        loss = kl + ratio_weight * (ratio - target).square() + sparsity_weight * sparsity
        loss.backward()
        optimizer.step()
        # The step's log, as sculpt's TrainingStep carries it: active components and the hard ratio.
        with torch.no_grad():
            active = [int((s > 0).sum()) for s in scores]
        stored = sum(min(k * (m + n), m * n) for k, (m, n) in zip(active, sizes))
        hard_ratio = 1 - stored / dense
        losses.append(loss.item())
        now = time.perf_counter()
        times.append(now - last)
        last = now

    print(json.dumps({
        "step_seconds": times,
        "losses": losses,
        "hard_ratio": hard_ratio,
        "teacher_logit_difference": (dense_logits - reference).abs().max().item(),
        "student_logit_difference": (student_logits - reference).abs().max().item(),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
