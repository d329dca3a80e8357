#!/usr/bin/python3
"""An independent reference for Sculpt's vision towers: the forward pass of transformers'
CLIPVisionModel and SiglipVisionModel written from their description in torch, in float64, and
ViTModel (as a LLaVA's tower: the same blocks under other names, with a class token and no
pre-norm; here on one-channel images).

Run with Debian's /usr/bin/python3 (python3-torch). Two commands:

  vision_tower_reference.py make FOLDER clip|siglip|vit SEED
      writes a tiny random-weight tower: config.json and model.safetensors (float32)
  vision_tower_reference.py run FOLDER PIXELS
      PIXELS is raw float32 [B, C, H, W], already normalised. Prints JSON: "hidden", transformers'
      hidden_states (the embeddings, then each layer's output), and "last", the tower's
      last_hidden_state, each as nested lists [B][tokens][dim].
"""

import json
import struct
import sys

import torch


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        blob = t.to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    data = open(path, "rb").read()
    (size,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + size])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        raw = bytearray(data[8 + size + start:8 + size + end])
        out[name] = torch.frombuffer(raw, dtype=torch.float32).to(torch.float64).reshape(info["shape"])
    return out


# ViTModel's names for CLIP's, in the order they are replaced.
VIT_NAMES = [("vision_model.embeddings.patch_embedding", "embeddings.patch_embeddings.projection"),
             ("vision_model.embeddings.class_embedding", "embeddings.cls_token"),
             ("vision_model.embeddings.position_embedding.weight", "embeddings.position_embeddings"),
             ("vision_model.encoder.layers.", "encoder.layer."), ("layer_norm1", "layernorm_before"),
             ("layer_norm2", "layernorm_after"), ("self_attn.q_proj", "attention.attention.query"),
             ("self_attn.k_proj", "attention.attention.key"), ("self_attn.v_proj", "attention.attention.value"),
             ("self_attn.out_proj", "attention.output.dense"), ("mlp.fc1", "intermediate.dense"),
             ("mlp.fc2", "output.dense"), ("vision_model.post_layernorm", "layernorm")]


def vit_names(t, back=False):
    """A tower's tensors under ViTModel's names (class token [1, 1, dim], positions [1, T, dim]),
    or back to CLIP's (class token [dim], positions [T, dim])."""
    out = {}
    for name, value in t.items():
        for clip, vit in VIT_NAMES:
            name = name.replace(vit, clip) if back else name.replace(clip, vit)
        if back and ("class_embedding" in name or "position_embedding" in name):
            value = value[0, 0] if "class" in name else value[0]
        elif not back and ("cls_token" in name or "position_embeddings" in name):
            value = value.view(1, 1, -1) if "cls" in name else value[None]
        out[name] = value
    return out


def random_tower(kind, g):
    """A tiny random tower's config and tensors. Odd sizes on purpose: 3 heads of 8, a 12×12
    image in 4×4 patches, 3 layers; a ViT's images are grey."""
    dim, layers, inner, channels, image, patch = 24, 3, 40, 1 if kind == "vit" else 3, 12, 4
    tokens = (image // patch) ** 2 + (0 if kind == "siglip" else 1)
    config = {"model_type": "vit" if kind == "vit" else f"{kind}_vision_model", "hidden_size": dim,
              "intermediate_size": inner, "num_hidden_layers": layers, "num_attention_heads": 3,
              "num_channels": channels, "image_size": image, "patch_size": patch,
              "hidden_act": {"clip": "quick_gelu", "siglip": "gelu_pytorch_tanh", "vit": "gelu"}[kind],
              "layer_norm_eps": 1e-5 if kind == "clip" else 1e-6}

    def rand(*shape, scale=0.3):
        return torch.randn(*shape, generator=g, dtype=torch.float64) * scale

    t, m = {}, "vision_model."
    t[m + "embeddings.patch_embedding.weight"] = rand(dim, channels, patch, patch)
    if kind != "siglip":
        t[m + "embeddings.class_embedding"] = rand(dim)
    if kind == "clip":
        t[m + "pre_layrnorm.weight"] = 1 + rand(dim, scale=0.1)
        t[m + "pre_layrnorm.bias"] = rand(dim, scale=0.1)
    else:
        t[m + "embeddings.patch_embedding.bias"] = rand(dim)
    t[m + "embeddings.position_embedding.weight"] = rand(tokens, dim)
    for l in range(layers):
        p = f"{m}encoder.layers.{l}."
        for norm in ("layer_norm1", "layer_norm2"):
            t[p + norm + ".weight"] = 1 + rand(dim, scale=0.1)
            t[p + norm + ".bias"] = rand(dim, scale=0.1)
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            t[p + "self_attn." + proj + ".weight"] = rand(dim, dim)
            t[p + "self_attn." + proj + ".bias"] = rand(dim, scale=0.1)
        t[p + "mlp.fc1.weight"], t[p + "mlp.fc1.bias"] = rand(inner, dim), rand(inner, scale=0.1)
        t[p + "mlp.fc2.weight"], t[p + "mlp.fc2.bias"] = rand(dim, inner), rand(dim, scale=0.1)
    t[m + "post_layernorm.weight"] = 1 + rand(dim, scale=0.1)
    t[m + "post_layernorm.bias"] = rand(dim, scale=0.1)
    return config, vit_names(t) if kind == "vit" else t


def make(folder, kind, seed):
    config, tensors = random_tower(kind, torch.Generator().manual_seed(seed))
    json.dump(config, open(f"{folder}/config.json", "w"), indent=2)
    write_safetensors(f"{folder}/model.safetensors", tensors)


def layer_norm(x, t, name, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * t[name + ".weight"] + t[name + ".bias"]


def linear(x, t, name):
    return x @ t[name + ".weight"].T + t[name + ".bias"]


def activate(x, name):
    if name == "gelu":
        return torch.nn.functional.gelu(x)
    if name == "quick_gelu":
        return x * torch.sigmoid(1.702 * x)
    if name == "gelu_pytorch_tanh":
        return 0.5 * x * (1 + torch.tanh((2 / torch.pi) ** 0.5 * (x + 0.044715 * x ** 3)))
    sys.exit(f"no activation {name} here")


def read_pixels(path, config):
    c, s = config["num_channels"], config["image_size"]
    raw = bytearray(open(path, "rb").read())
    return torch.frombuffer(raw, dtype=torch.float32).to(torch.float64).reshape(-1, c, s, s)


def tower(config, t, pixels):
    """transformers' hidden_states (the embeddings, then each layer's output) and
    last_hidden_state; `t` under the tower's own names (vision_model.…, or a ViTModel's)."""
    clip = config["model_type"] == "clip_vision_model"
    if config["model_type"] == "vit":
        t = vit_names(t, back=True)
    p = config["patch_size"]
    b, dim, heads, eps = pixels.shape[0], config["hidden_size"], config["num_attention_heads"], config["layer_norm_eps"]
    m = "vision_model."

    # The patch embedding is a convolution whose stride is its kernel.
    x = torch.nn.functional.conv2d(pixels, t[m + "embeddings.patch_embedding.weight"],
                                   t.get(m + "embeddings.patch_embedding.bias"), stride=p)
    x = x.flatten(2).transpose(1, 2)
    if m + "embeddings.class_embedding" in t:
        x = torch.cat([t[m + "embeddings.class_embedding"].expand(b, 1, dim), x], 1)
    x = x + t[m + "embeddings.position_embedding.weight"]
    if clip:
        x = layer_norm(x, t, m + "pre_layrnorm", eps)
    hidden = [x]
    hd = dim // heads
    for l in range(config["num_hidden_layers"]):
        a = f"{m}encoder.layers.{l}."
        y = layer_norm(x, t, a + "layer_norm1", eps)

        def split(z):
            return z.view(b, -1, heads, hd).transpose(1, 2)

        q, k, v = (split(linear(y, t, a + "self_attn." + n)) for n in ("q_proj", "k_proj", "v_proj"))
        weights = torch.softmax(q @ k.transpose(-1, -2) * hd ** -0.5, -1)
        y = (weights @ v).transpose(1, 2).reshape(b, -1, dim)
        x = x + linear(y, t, a + "self_attn.out_proj")
        y = layer_norm(x, t, a + "layer_norm2", eps)
        x = x + linear(activate(linear(y, t, a + "mlp.fc1"), config["hidden_act"]), t, a + "mlp.fc2")
        hidden.append(x)
    # CLIP's post_layernorm is for the pooled class token only; SigLIP's is its last_hidden_state.
    last = x if clip else layer_norm(x, t, m + "post_layernorm", eps)
    return hidden, last


def run(folder, pixels_path):
    config = json.load(open(f"{folder}/config.json"))
    t = read_safetensors(f"{folder}/model.safetensors")
    hidden, last = tower(config, t, read_pixels(pixels_path, config))
    print(json.dumps({"hidden": [h.tolist() for h in hidden], "last": last.tolist()}))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
