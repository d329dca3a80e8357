#!/usr/bin/env python3
"""Writes the seed corpus the fuzz replay tests run: one small valid file per fuzz target and
the malformed variants the reader tests cover, plus the inputs that once crashed a reader.
Run by hand when the corpus should change; its output is committed under corpus/<target>/.
Inputs fuzzing found are committed there too, and this script neither writes nor removes
them: found-* (coverage the seeds lack, kept by pick_inputs.py) and finding-* (a fuzzer's
reproducer of a bug since fixed, see run_fuzzers.sh)."""
import gzip, io, json, pathlib, struct, zipfile, zlib

root = pathlib.Path(__file__).parent / "corpus"

def put(reader, name, data):
    (root / reader).mkdir(parents=True, exist_ok=True)
    (root / reader / name).write_bytes(data)

def safetensors(header, data, pad=True):
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data

f32 = struct.pack("<4f", 1, 2, 3, 4)
ok = {"__metadata__": {"format": "pt"}, "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
      "b": {"dtype": "F16", "shape": [2], "data_offsets": [16, 20]}}
valid = safetensors(ok, f32 + b"\x00\x3c\x00\x40")
put("safetensors", "valid", valid)
put("safetensors", "truncated", valid[:-3])
put("safetensors", "header_huge", struct.pack("<Q", 1 << 40) + valid[8:])
put("safetensors", "header_past_end", struct.pack("<Q", len(valid)) + valid[8:])
put("safetensors", "not_json", struct.pack("<Q", 8) + b"{nope!!}")
put("safetensors", "not_utf8", struct.pack("<Q", 16) + b'{"\xff\xfe":1}   ')
put("safetensors", "overlap", safetensors({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                           "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, f32))
put("safetensors", "gap", safetensors({"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}, f32))
put("safetensors", "shape_mismatch", safetensors({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}}, f32))
put("safetensors", "unknown_dtype", safetensors({"a": {"dtype": "F7", "shape": [4], "data_offsets": [0, 16]}}, f32))

def gguf_string(s):
    return struct.pack("<Q", len(s)) + s

def gguf(version=3, tensors=None, kv=None, counts=None, data=b""):
    tensors = tensors or []
    kv = kv or []
    n_t, n_kv = counts or (len(tensors), len(kv))
    out = b"GGUF" + struct.pack("<IQQ", version, n_t, n_kv)
    for key, body in kv:
        out += gguf_string(key) + body
    for name, dims, ggml_type, offset in tensors:
        out += gguf_string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", ggml_type, offset)
    out += b"\x00" * ((32 - len(out) % 32) % 32)
    return out + data

q8 = struct.pack("<H", 0x3C00) + bytes(range(32))
arch = (b"general.architecture", struct.pack("<I", 8) + gguf_string(b"llama"))
valid = gguf(tensors=[(b"w", [4], 0, 0), (b"q", [32], 8, 32)], kv=[arch], data=f32 + b"\x00" * 16 + q8)
put("gguf", "valid", valid)
put("gguf", "truncated", valid[:60])
put("gguf", "v1", gguf(version=1))
put("gguf", "absurd_tensor_count", gguf(counts=(1 << 60, 0)))
put("gguf", "absurd_kv_count", gguf(counts=(0, 1 << 60)))
put("gguf", "absurd_dims", gguf(tensors=[(b"w", [1 << 40, 1 << 40], 0, 0)], data=f32))
put("gguf", "unknown_type", gguf(tensors=[(b"w", [4], 99, 0)], data=f32))
put("gguf", "offset_past_end", gguf(tensors=[(b"w", [4], 0, 1 << 20)], data=f32))

def pickle_state_dict(global_module=b"torch._utils", global_name=b"_rebuild_tensor_v2", numel=4):
    p = b"\x80\x02}q\x00X\x01\x00\x00\x00aq\x01"            # PROTO 2, {} , "a"
    p += b"c" + global_module + b"\n" + global_name + b"\nq\x02"
    p += b"((X\x07\x00\x00\x00storageq\x03ctorch\nFloatStorage\nq\x04X\x01\x00\x00\x000q\x05X\x03\x00\x00\x00cpuq\x06"
    p += b"K" + bytes([numel]) + b"tq\x07Q"                  # persistent id tuple, BINPERSID
    p += b"K\x00K\x04\x85K\x01\x85\x89ccollections\nOrderedDict\n)Rtq\x08Rq\x09s."
    return p

def torch_zip(pkl, storage=f32, with_pkl=True, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        if with_pkl:
            z.writestr(zipfile.ZipInfo("archive/data.pkl"), pkl)  # ZipInfo: a fixed date, the same bytes each run
        z.writestr(zipfile.ZipInfo("archive/data/0"), storage, compress_type=method)
        z.writestr(zipfile.ZipInfo("archive/version"), b"3\n")
    return buf.getvalue()

valid = torch_zip(pickle_state_dict())
put("pytorch_zip", "valid", valid)
put("pytorch_zip", "truncated", valid[: len(valid) // 2])
put("pytorch_zip", "no_data_pkl", torch_zip(b"", with_pkl=False))
put("pytorch_zip", "os_system", torch_zip(pickle_state_dict(b"os", b"system")))
put("pytorch_zip", "storage_too_small", torch_zip(pickle_state_dict(numel=64)))
put("pytorch_zip", "compressed_storage", torch_zip(pickle_state_dict(), method=zipfile.ZIP_DEFLATED))
put("pytorch_zip", "truncated_pickle", torch_zip(pickle_state_dict()[:40]))

def llama2c(dim=8, hidden=16, layers=1, heads=2, kv=1, vocab=4, seq=4, extra=0):
    head = dim // heads
    floats = vocab * dim + layers * (2 * dim + 2 * dim * dim + 2 * dim * head * kv + 3 * dim * hidden) + dim + seq * head
    if vocab < 0:
        floats += -vocab * dim * 2
    return struct.pack("<7i", dim, hidden, layers, heads, kv, vocab, seq) + b"\x00" * (4 * floats + extra)

put("llama2c", "valid", llama2c())
put("llama2c", "separate_classifier", llama2c(vocab=-4))
put("llama2c", "size_mismatch", llama2c(extra=4))
put("llama2c", "bad_heads", struct.pack("<7i", 8, 16, 1, 3, 1, 4, 4) + b"\x00" * 64)
put("llama2c", "header_only", struct.pack("<7i", 8, 16, 1, 2, 1, 4, 4))

# IDX image and label sets: big-endian magic and counts, then bytes; gzip by content.
def idx(magic, dims, body):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + body

def gz(data):
    return gzip.compress(data, mtime=0)

images = idx(0x803, [3, 2, 4], bytes(range(1, 25)))
put("idx_images", "valid", images)
put("idx_images", "valid_gzip", gz(images))
put("idx_images", "two_gzip_members", gz(images[:10]) + gz(images[10:]))
put("idx_images", "no_images", idx(0x803, [0, 28, 28], b""))
put("idx_images", "truncated", images[:-5])
put("idx_images", "gzip_truncated", gz(images)[:-6])
put("idx_images", "gzip_corrupt", gz(images)[:12] + b"\xff" * 8 + gz(images)[20:])
put("idx_images", "trailing_data", images + b"\x00")
put("idx_images", "huge_count", idx(0x803, [0xFFFFFFFF, 0xFFFF, 0xFFFF], b"\x00" * 8))
put("idx_images", "huge_count_gzip", gz(idx(0x803, [0x7FFFFFFF, 28, 28], b"\x00" * 64)))
put("idx_images", "zero_rows", idx(0x803, [2, 0, 4], b""))
put("idx_images", "labels_magic", idx(0x801, [3], b"\x01\x02\x03"))
put("idx_images", "short_header", struct.pack(">IH", 0x803, 3))

labels = idx(0x801, [5], bytes([7, 2, 1, 0, 4]))
put("idx_labels", "valid", labels)
put("idx_labels", "valid_gzip", gz(labels))
put("idx_labels", "truncated", labels[:-2])
put("idx_labels", "trailing_data", labels + b"\x09")
put("idx_labels", "huge_count", idx(0x801, [0xFFFFFFFF], b"\x00"))
put("idx_labels", "images_magic", images)
put("idx_labels", "gzip_of_garbage", gz(b"\x00\x00\x08\x01" + b"\xff" * 3))

# PNG images, read as grey: every colour type and depth libpng converts, each row filter,
# Adam7 interlacing, ancillary chunks the reader skips, and the refusals.
def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

def png(width, height, depth, colour, rows, interlace=0, before=b"", after=b"", idat_parts=1):
    """`rows`: the scanlines as stored, each a filter byte then the packed pixels."""
    data = zlib.compress(b"".join(rows), 9)
    cut = [len(data) * i // idat_parts for i in range(idat_parts + 1)]
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace))
    out += before + b"".join(png_chunk(b"IDAT", data[cut[i]:cut[i + 1]]) for i in range(idat_parts))
    return out + after + png_chunk(b"IEND", b"")

def adam7(pixels, width, height):
    """The scanlines of an 8-bit grey image in Adam7's seven passes, filter 0."""
    rows = []
    for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
        if x0 < width:
            rows += [b"\x00" + bytes(pixels[y * width + x] for x in range(x0, width, dx)) for y in range(y0, height, dy)]
    return rows

grey = png(4, 5, 8, 0, [bytes([f]) + bytes([10 * f, 20, 30 + f, 255]) for f in range(5)])  # filters 0-4
put("png", "grey8_filters", grey)
put("png", "grey1", png(9, 2, 1, 0, [b"\x00\xb0\x80", b"\x00\x4f\x00"]))
put("png", "grey16", png(2, 2, 16, 0, [b"\x00\xff\xff\x12\xff", b"\x02\x80\x80\x00\x01"]))
put("png", "rgb8", png(2, 2, 8, 2, [b"\x00\xff\x00\x00\x00\xff\x00", b"\x01\x00\x00\xff\x10\x10\x10"]))
put("png", "rgba16", png(1, 2, 16, 6, [b"\x00" + bytes(range(8)), b"\x00" + b"\xff" * 8]))
put("png", "grey_alpha8", png(2, 1, 8, 4, [b"\x00\x64\x00\xc8\xff"]))
palette = png_chunk(b"PLTE", bytes([0, 0, 0, 255, 255, 255, 0, 255, 0])) + png_chunk(b"tRNS", b"\x00\x80")
put("png", "palette2_trns", png(4, 1, 2, 3, [b"\x00\x19"], before=palette))
put("png", "interlaced", png(5, 5, 8, 0, adam7(range(0, 250, 10), 5, 5), interlace=1))
ancillary = (png_chunk(b"gAMA", struct.pack(">I", 45455)) + png_chunk(b"cHRM", struct.pack(">8I", *[31270, 32900] * 4)) +
             png_chunk(b"tEXt", b"Comment\x00seed") + png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"x" * 1000)) +
             png_chunk(b"iCCP", b"icc\x00\x00" + zlib.compress(b"not a profile")))
put("png", "ancillary_chunks", png(2, 1, 8, 2, [b"\x00\x01\x02\x03\x04\x05\x06"], before=ancillary))
put("png", "idat_in_three", png(4, 5, 8, 0, [b"\x00" + bytes([y] * 4) for y in range(5)], idat_parts=3))
put("png", "trailing_data", grey + b"after the end")
put("png", "truncated", grey[:-20])
put("png", "no_idat", grey[:33] + png_chunk(b"IEND", b""))
put("png", "not_png", b"GIF89a\x01\x00\x01\x00")
put("png", "too_wide", png(20000, 1, 8, 0, [b"\x00" + b"\x00" * 20000]))
put("png", "claims_too_much", png(16384, 16384, 1, 0, [b"\x00" * 2049] * 4))

# Tokenizers, all three formats through one target: llama2.c's tok*.bin, a SentencePiece
# model (protobuf, written by hand here) and a byte-level BPE tokenizer.json.
byte_pieces = [b"<0x%02X>" % b for b in range(256)]
words = [b"\xe2\x96\x81t", b"he", b"\xe2\x96\x81the", b"\xe2\x96\x81a", b"\xe2\x96\x81", b"t", b"h", b"e", b"a"]

def llama2c_tokenizer(pieces, max_len=None, cut=0):
    max_len = max_len if max_len is not None else max(len(p) for p in pieces)
    out = struct.pack("<i", max_len)
    for i, p in enumerate(pieces):
        out += struct.pack("<fi", -float(i), len(p)) + p
    return out[: len(out) - cut] if cut else out

llama_pieces = [b"<unk>", b"\n<s>\n", b"\n</s>\n"] + byte_pieces + [w.replace(b"\xe2\x96\x81", b" ") for w in words]
put("tokenizer", "llama2c_valid", llama2c_tokenizer(llama_pieces))
put("tokenizer", "llama2c_truncated", llama2c_tokenizer(llama_pieces, cut=3))
put("tokenizer", "llama2c_no_byte_tokens", llama2c_tokenizer([b"<unk>", b"<s>", b"</s>", b"a", b"b"]))
put("tokenizer", "llama2c_piece_too_long", llama2c_tokenizer(llama_pieces, max_len=4))

def varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out

def field(number, wire, payload):
    key = varint(number << 3 | wire)
    if wire == 2:
        return key + varint(len(payload)) + payload
    return key + payload

def sentencepiece_model(model_type=2, byte_fallback=True, pieces=None, normalizer=b"identity"):
    NORMAL, UNKNOWN, CONTROL, BYTE = 1, 2, 3, 6
    if pieces is None:
        pieces = [(b"<unk>", 0.0, UNKNOWN), (b"<s>", 0.0, CONTROL), (b"</s>", 0.0, CONTROL)]
        pieces += [(p, 0.0, BYTE) for p in byte_pieces]
        pieces += [(w, -float(i), NORMAL) for i, w in enumerate(words)]
    out = b""
    for piece, score, kind in pieces:
        out += field(1, 2, field(1, 2, piece) + field(2, 5, struct.pack("<f", score)) + field(3, 0, varint(kind)))
    trainer = field(3, 0, varint(model_type)) + field(4, 0, varint(len(pieces)))
    if byte_fallback:
        trainer += field(35, 0, varint(1))
    out += field(2, 2, trainer)
    out += field(3, 2, field(1, 2, normalizer) + field(3, 0, varint(1)) + field(4, 0, varint(1)) + field(5, 0, varint(1)))
    return out

# Finding: the SentencePiece module was loaded with RTLD_DEEPBIND, which ASan aborts on.
put("tokenizer", "sentencepiece_bpe", sentencepiece_model())
put("tokenizer", "sentencepiece_unigram", sentencepiece_model(model_type=1))
put("tokenizer", "sentencepiece_bytes_without_fallback", sentencepiece_model(byte_fallback=False))
put("tokenizer", "sentencepiece_no_unk", sentencepiece_model(pieces=[(b"a", 0.0, 1), (b"b", 0.0, 1)]))
put("tokenizer", "sentencepiece_truncated", sentencepiece_model()[:300])

def byte_symbols():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    symbols, extra = {}, 0
    for b in range(256):
        if b in printable:
            symbols[b] = chr(b)
        else:
            symbols[b] = chr(256 + extra)
            extra += 1
    return [symbols[b] for b in range(256)]

def tokenizer_json(merges=("Ġ t", "h e", "Ġt he"), extra=("Ġt", "he", "Ġthe"), added=(), more=None, model_more=None):
    vocab = {s: i for i, s in enumerate(byte_symbols())}
    for w in extra:
        vocab[w] = len(vocab)
    model = {"type": "BPE", "vocab": vocab, "merges": list(merges)}
    model.update(model_more or {})
    byte_level = {"type": "ByteLevel", "add_prefix_space": False}
    doc = {"model": model, "pre_tokenizer": byte_level, "decoder": byte_level,
           "added_tokens": [{"id": i, "content": c, "special": s, "lstrip": l, "rstrip": r, "single_word": w}
                            for i, c, s, l, r, w in added]}
    doc.update(more or {})
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()

eot = (259, "<|endoftext|>", True, False, False, False)
put("tokenizer", "json_valid", tokenizer_json())
put("tokenizer", "json_added_tokens", tokenizer_json(extra=("Ġt", "he", "Ġthe", "<|endoftext|>", "<mask>"),
    added=[eot, (260, "<mask>", False, True, True, True)]))
put("tokenizer", "json_merge_pairs", tokenizer_json(merges=[["Ġ", "t"], ["h", "e"], ["Ġt", "he"]]))
put("tokenizer", "json_no_regex_prefix_space", tokenizer_json(
    more={"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": True, "use_regex": False}},
    model_more={"ignore_merges": True}))
put("tokenizer", "json_merge_not_in_vocab", tokenizer_json(merges=["x y"]))
put("tokenizer", "json_missing_byte", tokenizer_json().replace(b'"!":33,', b""))
put("tokenizer", "json_wordpiece", tokenizer_json(model_more={"type": "WordPiece"}))
put("tokenizer", "json_normalizer", tokenizer_json(more={"normalizer": {"type": "NFC"}}))
put("tokenizer", "json_shared_id", tokenizer_json(extra=("Ġt",)).replace(b'"\xc4\xa0t":256', b'"\xc4\xa0t":5'))
# Finding: one id near 2^24 made the reader allocate tables for 16 million tokens (1.2 GB).
put("tokenizer", "json_huge_id", b'{"model":{"type":"BPE","vocab":{"a":16777215},"merges":[]},'
                                 b'"pre_tokenizer":{"type":"ByteLevel"},"decoder":{"type":"ByteLevel"}}')
put("tokenizer", "not_a_tokenizer", b"hello")

for name, config in {"bos_eos": {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>"},
                     "content_objects": {"bos_token": {"content": "<s>", "lstrip": False}, "eos_token": {"content": "</s>"}},
                     "null_bos": {"bos_token": None, "eos_token": "</s>"},
                     "unknown_token": {"bos_token": "<nope>"},
                     "number_token": {"bos_token": 5},
                     "empty": {}}.items():
    put("tokenizer_config", name, json.dumps(config).encode())
put("tokenizer_config", "not_an_object", b'["<s>"]')
put("tokenizer_config", "not_json", b'{"bos_token": ')

# config.json of a Hugging Face folder, read by every config reader.
llama = {"model_type": "llama", "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1,
         "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 32, "max_position_embeddings": 64,
         "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": False, "hidden_act": "silu"}
gpt2 = {"model_type": "gpt2", "n_embd": 8, "n_layer": 1, "n_head": 2, "n_inner": None, "vocab_size": 32,
        "n_positions": 64, "n_ctx": 64, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new",
        "scale_attn_weights": True, "tie_word_embeddings": True}
vit = {"model_type": "vit", "image_size": 28, "patch_size": 7, "num_channels": 1, "hidden_size": 64,
       "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "hidden_act": "gelu",
       "layer_norm_eps": 1e-12, "qkv_bias": True, "id2label": {str(i): str(i) for i in range(10)}}
for name, config in {"llama": llama, "gpt2": gpt2, "vit": vit,
                     "mistral_window": dict(llama, model_type="mistral", sliding_window=16),
                     "qwen2_head_dim": dict(llama, model_type="qwen2", head_dim=6, use_sliding_window=False),
                     "rope_scaling": dict(llama, rope_scaling={"type": "linear", "factor": 2.0}),
                     "gpt2_n_ctx_only": {k: v for k, v in gpt2.items() if k != "n_positions"},
                     "wrong_types": dict(llama, hidden_size="8", rms_norm_eps=-1, tie_word_embeddings="yes"),
                     # Finding: the default n_inner, 4·n_embd, overflowed int64 (UBSan).
                     "huge_numbers": dict(gpt2, n_embd=2**62, n_head=1, vocab_size=2**63 + 5),
                     "bert": {"model_type": "bert", "hidden_size": 8}, "empty": {}}.items():
    put("hf_config", name, json.dumps(config, indent=1).encode())
put("hf_config", "not_an_object", b"[1, 2, 3]")
put("hf_config", "not_json", b'{"model_type": "llama",')

# A ViT sidecar config, for a plain checkpoint and on top of an HF folder's config.json.
lucidrains = {"_comment": "lucidrains/vit-pytorch", "tensor_names": "lucidrains", "image_size": 28, "patch_size": 7,
              "num_channels": 1, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
              "intermediate_size": 128, "num_labels": 10, "classifier_hidden_size": 32, "patch_flatten": "p1 p2 c",
              "qkv_layout": "3 h d", "qkv_bias": False, "attention_scale": "hidden_size", "final_norm": True,
              "image_mean": [0.1307], "image_std": 0.3081, "rescale_factor": 0.00392156862745098,
              "rename": [["^module\\.", ""], ["\\.net\\.(\\d)", ".net.$1"]]}
for name, sidecar in {"lucidrains": lucidrains,
                      "overlay": {"qkv_layout": "h 3 d", "attention_scale": 0.125, "hidden_act": "relu"},
                      "three_channels": dict(lucidrains, num_channels=3, image_mean=[0.5, 0.4, 0.3], image_std=[0.2, 0.2]),
                      "bad_regex": dict(lucidrains, rename=[["(unclosed", "x"]]),
                      "bad_patch_order": dict(lucidrains, patch_flatten="c c p1"),
                      "unknown_key": {"hidden_sise": 64},
                      "hf_names_two_layer_head": dict(lucidrains, tensor_names="hf"),
                      "id2label_only": {k: v for k, v in dict(lucidrains, id2label={"0": "a", "1": "b"}).items()
                                        if k != "num_labels"},
                      "empty": {},
                      # Findings: per-channel tables sized by a lying count (std::length_error,
                      # an ASan allocation-size-too-big) and a nested pattern that overflowed
                      # the stack in std::regex's compiler.
                      "huge_channels": dict(lucidrains, num_channels=2**62, image_mean=0.5, image_std=0.5),
                      "many_channels": dict(lucidrains, num_channels=2**40, image_mean=0.5, image_std=0.5),
                      "deep_rename_pattern": dict(lucidrains, rename=[["(" * 10000 + ")" * 10000, ""]])}.items():
    put("vit_sidecar", name, json.dumps(sidecar, indent=1).encode())
put("vit_sidecar", "not_an_object", b'"vit"')

# model.safetensors.index.json beside two shards the harness writes: a and b in the first, c
# in the second.
shard1, shard2 = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
weight_map = {"a": shard1, "b": shard1, "c": shard2}
for name, index in {"valid": {"metadata": {"total_size": 48, "format": "pt"}, "weight_map": weight_map},
                    "one_shard": {"weight_map": {"a": shard1}},
                    "tensor_not_in_shard": {"weight_map": dict(weight_map, d=shard2)},
                    "missing_shard": {"weight_map": {"a": "model-00003-of-00002.safetensors"}},
                    "path_outside": {"weight_map": {"a": "../" + shard1}},
                    "names_itself": {"weight_map": {"a": "model.safetensors.index.json"}},
                    "not_a_name": {"weight_map": {"a": 1}},
                    "empty_map": {"weight_map": {}},
                    "no_map": {"metadata": {}}}.items():
    put("shard_index", name, json.dumps(index, indent=1).encode())
put("shard_index", "deep", b'{"weight_map": ' + b"[" * 20 + b"]" * 20 + b"}")

# Photos read as RGB by content (JPEG through libjpeg-turbo, PNG through libpng), written with
# Pillow (python3-pil): baseline and progressive colour, grey, 4:2:0 and 4:4:4 subsampling,
# restart markers, CMYK (refused), and cut and damaged copies; a colour PNG.
from PIL import Image

def jpeg(image, **options):
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()

gradient = Image.frombytes("RGB", (9, 7), bytes((x * 28 + c * 80 + y * 30) % 256 for y in range(7) for x in range(9) for c in range(3)))
baseline = jpeg(gradient, quality=75)
put("rgb_image", "baseline", baseline)
put("rgb_image", "progressive", jpeg(gradient, quality=60, progressive=True))
put("rgb_image", "subsampling_444", jpeg(gradient, quality=90, subsampling=0))
put("rgb_image", "restarts", jpeg(gradient.resize((40, 24)), quality=80, restart_marker_rows=1))
put("rgb_image", "grey", jpeg(gradient.convert("L"), quality=70))
put("rgb_image", "cmyk", jpeg(gradient.convert("CMYK")))
put("rgb_image", "truncated", baseline[: len(baseline) // 2])
put("rgb_image", "damaged_scan", baseline[:-40] + b"\x00" * 30 + baseline[-10:])
put("rgb_image", "no_frame", b"\xff\xd8\xff\xd9")
put("rgb_image", "rgb_png", png(2, 2, 8, 2, [b"\x00\xff\x00\x00\x00\xff\x00", b"\x01\x00\x00\xff\x10\x10\x10"]))

# Page layouts: one small valid file of each format and what the reader tests refuse.
manga109 = b'''<book title="T"><characters><character id="c" name="A &amp; B"/></characters><pages>
<page index="0" width="1654" height="1170"><frame id="1" xmin="10" ymin="10" xmax="800" ymax="500"/>
<frame id="2" xmin="850" ymin="10" xmax="1600" ymax="1100"/><text id="3" xmin="20" ymin="20" xmax="90" ymax="200">&#x3042;</text>
<face id="4" xmin="1" ymin="1" xmax="5" ymax="5" character="c"/><custom/></page></pages></book>'''
put("layout", "manga109", manga109)
put("layout", "manga109_truncated", manga109[:150])
put("layout", "manga109_nan", manga109.replace(b'xmax="800"', b'xmax="nan"'))
put("layout", "manga109_inverted", manga109.replace(b'xmin="10" ymin="10" xmax="800"', b'xmin="900" ymin="10" xmax="800"'))
mantra = [{"book_title": "b", "pages": [{"page_index": 0, "image_paths": {"ja": "images/b/ja/000.jpg"},
           "frame": [{"x": 0, "y": 0, "w": 400, "h": 300}, {"x": 0, "y": 320, "w": 400, "h": 300}],
           "text": [{"x": 10, "y": 10, "w": 50, "h": 90, "text_ja": "あ", "text_en": "Ah", "text_zh": "啊"}]}]}]
put("layout", "openmantra", json.dumps(mantra, ensure_ascii=False).encode())
put("layout", "openmantra_negative", json.dumps(mantra).replace('"w": 400', '"w": -400').encode())
put("layout", "openmantra_not_a_list", b'{"book_title": "b"}')
acbf = b'''<?xml version="1.0"?><ACBF xmlns="http://www.acbf.info/xml/acbf/1.1"><body>
<page><image href="page1.jpg"/><text-layer lang="en"><text-area points="10,10 90,10 90,40 10,40"><p>Hi <emphasis>there</emphasis></p></text-area></text-layer>
<frame points="0,0 500,0 500,400 0,400"/><frame points="0,420 500,420 480,800 0,800"/></page></body></ACBF>'''
put("layout", "acbf", acbf)
put("layout", "acbf_two_points", acbf.replace(b'points="0,0 500,0 500,400 0,400"', b'points="0,0 500,0"'))
put("layout", "acbf_bad_number", acbf.replace(b'500,400', b'500,4e999'))
