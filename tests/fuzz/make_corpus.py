#!/usr/bin/env python3
"""Writes the seed corpus the fuzz replay tests run: one small valid file per reader and
the malformed variants the reader tests cover. Run by hand when the corpus should change;
its output is committed under corpus/."""
import io, json, pathlib, struct, zipfile

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
            z.writestr("archive/data.pkl", pkl)
        z.writestr(zipfile.ZipInfo("archive/data/0"), storage, compress_type=method)
        z.writestr("archive/version", b"3\n")
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
