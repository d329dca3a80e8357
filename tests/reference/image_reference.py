#!/usr/bin/env python3
"""The image path's reference, with Debian's python3-pil and python3-numpy (no transformers here):
Hugging Face's CLIP/SigLIP image processors' steps written out as transformers runs them —
Image.open(...).convert("RGB"), Pillow's resize, center_crop, rescale in float64 then float32,
normalise in float32.

  image_reference.py make DIR                 writes test images into DIR (a JPEG photo-like
                                              gradient with noise, a grey JPEG, a palette PNG,
                                              an RGBA PNG, a CMYK JPEG), names on stdout
  image_reference.py run OUT CONFIG IMAGE...  for image i writes OUT/i.decoded, OUT/i.resized
                                              (uint8 H×W×3) and OUT/i.pixels (float32 3×H×W);
                                              prints [{"width", "height", "resized": [w, h],
                                              "pixels": [h, w]}] as JSON
  image_reference.py grey OUT CONFIG IMAGE... the same for a tower of grey images: convert("L")
                                              after convert("RGB"), one channel, the first
                                              mean and std (OUT/i.pixels is float32 1×H×W)
"""
import json
import math
import os
import sys

import numpy as np
from PIL import Image


def make(folder):
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:181, 0:263]
    photo = np.stack([(x * 255 // 262), (y * 255 // 180), ((x + y) * 255 // 443)], axis=-1)
    photo = np.clip(photo + rng.integers(-40, 41, photo.shape), 0, 255).astype(np.uint8)
    made = {}
    Image.fromarray(photo).save(os.path.join(folder, "photo.jpg"), quality=90)
    made["photo.jpg"] = "RGB JPEG"
    Image.fromarray(photo[:97, :61, 1]).save(os.path.join(folder, "grey.jpg"), quality=85)
    made["grey.jpg"] = "grey JPEG"
    Image.fromarray(photo).convert("P", palette=Image.ADAPTIVE, colors=37).save(os.path.join(folder, "palette.png"))
    made["palette.png"] = "palette PNG"
    rgba = np.concatenate([photo[:50, :70], rng.integers(0, 256, (50, 70, 1), dtype=np.uint8)], axis=-1)
    Image.fromarray(rgba, "RGBA").save(os.path.join(folder, "alpha.png"))
    made["alpha.png"] = "RGBA PNG"
    Image.new("CMYK", (8, 8)).save(os.path.join(folder, "cmyk.jpg"))
    made["cmyk.jpg"] = "CMYK JPEG"
    print(json.dumps(made))


def resized_size(width, height, config):
    size = config["size"]
    if isinstance(size, int):
        size = {"shortest_edge": size}
    if "shortest_edge" in size:  # transformers' get_resize_output_image_size, default_to_square=False
        n = size["shortest_edge"]
        short, long = (width, height) if width <= height else (height, width)
        new_short, new_long = n, int(n * long / short)
        return (new_short, new_long) if width <= height else (new_long, new_short)
    return size["width"], size["height"]


def center_crop(image, crop_height, crop_width):  # transformers' center_crop, on H×W×C
    orig_height, orig_width = image.shape[:2]
    top = (orig_height - crop_height) // 2
    bottom = top + crop_height
    left = (orig_width - crop_width) // 2
    right = left + crop_width
    if top >= 0 and bottom <= orig_height and left >= 0 and right <= orig_width:
        return image[top:bottom, left:right]
    new_height = max(crop_height, orig_height)
    new_width = max(crop_width, orig_width)
    new_image = np.zeros((new_height, new_width, image.shape[2]), dtype=image.dtype)
    top_pad = math.ceil((new_height - orig_height) / 2)
    left_pad = math.ceil((new_width - orig_width) / 2)
    new_image[top_pad:top_pad + orig_height, left_pad:left_pad + orig_width] = image
    top += top_pad
    bottom += top_pad
    left += left_pad
    right += left_pad
    return new_image[max(0, top):min(new_height, bottom), max(0, left):min(new_width, right)]


def run(out, config_path, images, grey=False):
    with open(config_path) as f:
        config = json.load(f)
    answers = []
    for i, path in enumerate(images):
        image = Image.open(path).convert("RGB")
        decoded = np.asarray(image)
        if grey:
            image = image.convert("L")
        width, height = image.size
        if config.get("do_resize", True):
            w, h = resized_size(width, height, config)
            image = image.resize((w, h), resample=config.get("resample", 3))
        resized = np.asarray(image)
        x = resized[..., None] if grey else resized
        if config.get("do_center_crop", False):
            crop = config["crop_size"]
            crop = crop if isinstance(crop, dict) else {"height": crop, "width": crop}
            x = center_crop(x, crop["height"], crop["width"])
        if config.get("do_rescale", True):
            x = (x.astype(np.float64) * config.get("rescale_factor", 1 / 255)).astype(np.float32)
        if config.get("do_normalize", True):
            if not np.issubdtype(x.dtype, np.floating):
                x = x.astype(np.float32)
            mean = np.atleast_1d(np.array(config.get("image_mean", [0.48145466, 0.4578275, 0.40821073]), dtype=x.dtype))
            std = np.atleast_1d(np.array(config.get("image_std", [0.26862954, 0.26130258, 0.27577711]), dtype=x.dtype))
            x = (x - mean[:1]) / std[:1] if grey else (x - mean) / std
        x = np.ascontiguousarray(x.astype(np.float32).transpose(2, 0, 1))
        decoded.tofile(os.path.join(out, f"{i}.decoded"))
        resized.tofile(os.path.join(out, f"{i}.resized"))
        x.tofile(os.path.join(out, f"{i}.pixels"))
        answers.append({"width": width, "height": height, "resized": [resized.shape[1], resized.shape[0]],
                        "pixels": [x.shape[1], x.shape[2]]})
    print(json.dumps(answers))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        run(sys.argv[2], sys.argv[3], sys.argv[4:], grey=sys.argv[1] == "grey")
