#!/usr/bin/python3
"""An independent reference for Sculpt's LLaVA runtime: transformers' LlavaForConditionalGeneration
written from its description in torch, in float64 — the vision tower of
vision_tower_reference.py, the projector, and a LLaMA decoder whose image tokens take the
projected image features — and its HiMix form, written from the HiMix paper's equations: the
image tokens leave the prompt, and each layer's text queries see the features, normed and
projected by the layer's input_layernorm_img, k_proj_img and v_proj_img, as keys and values
without rotary positions ahead of the text's own.

Run with Debian's /usr/bin/python3 (python3-torch). Two commands:

  llava_reference.py make FOLDER old|new clip|siglip|vit SEED [himix] [vocab=N]
      writes a tiny random-weight LLaVA: config.json and model.safetensors (float32), under the
      older tensor names (language_model.model.…, vision_tower.…) or the newer ones
      (model.language_model.…, model.vision_tower.…, model.multi_modal_projector.…); with
      himix, each decoder layer also holds the _img tensors; with vocab=N, a vocabulary of N
      whose last id is the image token (64 and 60 otherwise); a vit tower (ViTModel's names)
      reads grey images
  llava_reference.py run FOLDER TOKENS PIXELS
      TOKENS is a JSON list of token id lists (one row each, the image tokens expanded),
      PIXELS raw float32 [N, C, H, W]; prints the logits as JSON [rows][tokens][vocab]
  llava_reference.py generate FOLDER TOKENS IMAGE N
      the first row continued greedily by N tokens, its image a PNG or JPEG made into pixels as
      CLIPImageProcessor does at the tower's size (Pillow's bicubic resize of the short side,
      centre crop, CLIP's mean and std; for a grey tower, convert("L") first and the first mean
      and std): prints the new ids as JSON
  llava_reference.py image PATH SEED
      writes a random 20×16 RGB PNG (Pillow) for a prompt
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vision_tower_reference import (activate, linear, random_tower, read_pixels, read_safetensors,  # noqa: E402
                                    tower, write_safetensors)

# The decoder: 2 layers, 4 query heads sharing 2 key/value heads of 8, a vocabulary of 64 whose
# last id but three is the image token.
TEXT = {"model_type": "llama", "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 64, "max_position_embeddings": 128,
        "rms_norm_eps": 1e-6, "rope_theta": 10000.0}
IMAGE_TOKEN = 60

PREFIXES = {
    "old": {"text": "language_model.model.", "head": "language_model.lm_head.", "tower": "vision_tower.",
            "projector": "multi_modal_projector."},
    "new": {"text": "model.language_model.", "head": "lm_head.", "tower": "model.vision_tower.",
            "projector": "model.multi_modal_projector."},
}


def make(folder, generation, kind, seed, himix, vocab):
    g = torch.Generator().manual_seed(seed)
    vision, tower_tensors = random_tower(kind, g)
    text = dict(TEXT, vocab_size=vocab or TEXT["vocab_size"])
    dim, inner, vocab = text["hidden_size"], text["intermediate_size"], text["vocab_size"]
    head_dim = dim // TEXT["num_attention_heads"]
    kv = TEXT["num_key_value_heads"] * head_dim

    def rand(*shape, scale=0.3):
        return torch.randn(*shape, generator=g, dtype=torch.float64) * scale

    p = PREFIXES[generation]
    t = {p["tower"] + name: value for name, value in tower_tensors.items()}
    t[p["projector"] + "linear_1.weight"] = rand(dim, vision["hidden_size"])
    t[p["projector"] + "linear_1.bias"] = rand(dim, scale=0.1)
    t[p["projector"] + "linear_2.weight"] = rand(dim, dim)
    t[p["projector"] + "linear_2.bias"] = rand(dim, scale=0.1)
    t[p["text"] + "embed_tokens.weight"] = rand(vocab, dim, scale=1.0)
    for l in range(TEXT["num_hidden_layers"]):
        b = f"{p['text']}layers.{l}."
        t[b + "input_layernorm.weight"] = 1 + rand(dim, scale=0.1)
        t[b + "post_attention_layernorm.weight"] = 1 + rand(dim, scale=0.1)
        for name, shape in (("q_proj", (dim, dim)), ("k_proj", (kv, dim)), ("v_proj", (kv, dim)), ("o_proj", (dim, dim))):
            t[b + "self_attn." + name + ".weight"] = rand(*shape)
        for name, shape in (("gate_proj", (inner, dim)), ("up_proj", (inner, dim)), ("down_proj", (dim, inner))):
            t[b + "mlp." + name + ".weight"] = rand(*shape)
        if himix:
            t[b + "input_layernorm_img.weight"] = 1 + rand(dim, scale=0.1)
            t[b + "self_attn.k_proj_img.weight"] = rand(kv, dim)
            t[b + "self_attn.v_proj_img.weight"] = rand(kv, dim)
    t[p["text"] + "norm.weight"] = 1 + rand(dim, scale=0.1)
    t[p["head"] + "weight"] = rand(vocab, dim)

    config = {"architectures": ["LlavaForConditionalGeneration"], "model_type": "llava",
              "image_token_index": vocab - 1 if vocab != TEXT["vocab_size"] else IMAGE_TOKEN,
              "projector_hidden_act": "gelu",
              # CLIP towers as llava-1.5 (the block before the last, the class token dropped),
              # SigLIP ones as the models built on it (the last block, every token); a ViT's
              # class token is dropped as CLIP's.
              "vision_feature_layer": -1 if kind == "siglip" else -2,
              "vision_feature_select_strategy": "full" if kind == "siglip" else "default",
              "text_config": text, "vision_config": vision}
    json.dump(config, open(f"{folder}/config.json", "w"), indent=2)
    write_safetensors(f"{folder}/model.safetensors", t)


def rms_norm(x, weight, eps):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], -1)


def decoder(config, t, x, images=None):
    """LlamaModel and lm_head on input embeddings x [B, T, dim], names as model.… / lm_head;
    HiMix's when `images` [B, N, dim] is given."""
    b, length, dim = x.shape
    n = 0 if images is None else images.shape[1]
    heads, kv_heads = config["num_attention_heads"], config["num_key_value_heads"]
    hd = dim // heads
    inv = 1.0 / config["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    angles = torch.arange(length, dtype=torch.float64)[:, None] * inv[None, :]
    cos, sin = torch.cat([angles.cos()] * 2, -1), torch.cat([angles.sin()] * 2, -1)
    # The images' keys are seen by every query; the text's causally.
    causal = torch.cat([torch.zeros(length, n, dtype=torch.float64),
                        torch.full((length, length), float("-inf"), dtype=torch.float64).triu(1)], 1)
    eps = config["rms_norm_eps"]
    for l in range(config["num_hidden_layers"]):
        p = f"model.layers.{l}."
        y = rms_norm(x, t[p + "input_layernorm.weight"], eps)
        q = (y @ t[p + "self_attn.q_proj.weight"].T).view(b, length, heads, hd).transpose(1, 2)
        k = (y @ t[p + "self_attn.k_proj.weight"].T).view(b, length, kv_heads, hd).transpose(1, 2)
        v = (y @ t[p + "self_attn.v_proj.weight"].T).view(b, length, kv_heads, hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        if n:
            f = rms_norm(images, t[p + "input_layernorm_img.weight"], eps)
            k = torch.cat([(f @ t[p + "self_attn.k_proj_img.weight"].T).view(b, n, kv_heads, hd).transpose(1, 2), k], 2)
            v = torch.cat([(f @ t[p + "self_attn.v_proj_img.weight"].T).view(b, n, kv_heads, hd).transpose(1, 2), v], 2)
        k, v = (z.repeat_interleave(heads // kv_heads, 1) for z in (k, v))
        weights = torch.softmax(q @ k.transpose(-1, -2) / hd ** 0.5 + causal, -1)
        x = x + (weights @ v).transpose(1, 2).reshape(b, length, dim) @ t[p + "self_attn.o_proj.weight"].T
        y = rms_norm(x, t[p + "post_attention_layernorm.weight"], eps)
        gate, up = y @ t[p + "mlp.gate_proj.weight"].T, y @ t[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ t[p + "mlp.down_proj.weight"].T
    return rms_norm(x, t["model.norm.weight"], eps) @ t["lm_head.weight"].T


def logits(folder, ids, pixels):
    config = json.load(open(f"{folder}/config.json"))
    stored = read_safetensors(f"{folder}/model.safetensors")
    generation = "old" if any(n.startswith("language_model.") for n in stored) else "new"
    p = PREFIXES[generation]
    t = {}
    for name, value in stored.items():  # back to the plain models' own names
        for prefix, own in ((p["text"], "model."), (p["head"], "lm_head."), (p["tower"], ""),
                            (p["projector"], "multi_modal_projector.")):
            if name.startswith(prefix):
                t[own + name[len(prefix):]] = value
                break
    vision, text = config["vision_config"], config["text_config"]
    hidden, _ = tower(vision, t, pixels)
    features = hidden[config["vision_feature_layer"]]
    if config["vision_feature_select_strategy"] == "default":
        features = features[:, 1:]
    features = linear(activate(linear(features, t, "multi_modal_projector.linear_1"),
                               config["projector_hidden_act"]), t, "multi_modal_projector.linear_2")

    slots = ids == config["image_token_index"]
    if "model.layers.0.input_layernorm_img.weight" in t:  # HiMix: the text alone, the images beside it
        b = ids.shape[0]
        x = t["model.embed_tokens.weight"][ids[~slots].view(b, -1)]
        return decoder(text, t, x, features.reshape(b, -1, features.shape[-1]))
    x = t["model.embed_tokens.weight"][ids]
    x[slots] = features.reshape(-1, features.shape[-1])  # in order: the first image's tokens first
    return decoder(text, t, x)


def run(folder, tokens_path, pixels_path):
    ids = torch.tensor(json.load(open(tokens_path)), dtype=torch.int64)
    vision = json.load(open(f"{folder}/config.json"))["vision_config"]
    print(json.dumps(logits(folder, ids, read_pixels(pixels_path, vision)).tolist()))


def clip_pixels(path, size, channels):
    from PIL import Image
    image = Image.open(path).convert("RGB")
    if channels == 1:
        image = image.convert("L")
    w, h = image.size
    short, long = (w, h) if w <= h else (h, w)
    resized = (size, int(long * size / short)) if w <= h else (int(long * size / short), size)
    image = image.resize(resized, Image.BICUBIC)
    left, top = (image.size[0] - size) // 2, (image.size[1] - size) // 2
    image = image.crop((left, top, left + size, top + size))
    x = torch.tensor(list(image.getdata()), dtype=torch.float64).view(size, size, channels).permute(2, 0, 1) / 255
    mean = torch.tensor([0.48145466, 0.4578275, 0.40821073][:channels], dtype=torch.float64)[:, None, None]
    std = torch.tensor([0.26862954, 0.26130258, 0.27577711][:channels], dtype=torch.float64)[:, None, None]
    return ((x - mean) / std)[None]


def generate(folder, tokens_path, image_path, count):
    row = json.load(open(tokens_path))[0]
    vision = json.load(open(f"{folder}/config.json"))["vision_config"]
    pixels = clip_pixels(image_path, vision["image_size"], vision["num_channels"])
    new = []
    for _ in range(count):
        new.append(int(logits(folder, torch.tensor([row + new], dtype=torch.int64), pixels)[0, -1].argmax()))
    print(json.dumps(new))


def image(path, seed):
    from PIL import Image
    g = torch.Generator().manual_seed(seed)
    data = torch.randint(0, 256, (16, 20, 3), generator=g, dtype=torch.uint8)
    Image.frombytes("RGB", (20, 16), bytes(data.flatten().tolist())).save(path)


if __name__ == "__main__":
    options = sys.argv[6:]
    vocabs = [int(o[6:]) for o in options if o.startswith("vocab=")]
    if len(sys.argv) >= 6 and sys.argv[1] == "make" and set(options) <= {"himix"} | {f"vocab={v}" for v in vocabs}:
        make(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), "himix" in options, vocabs[0] if vocabs else None)
    elif len(sys.argv) == 5 and sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 6 and sys.argv[1] == "generate":
        generate(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif len(sys.argv) == 4 and sys.argv[1] == "image":
        image(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
