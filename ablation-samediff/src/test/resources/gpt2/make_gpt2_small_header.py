#!/usr/bin/env python3
"""Writes gpt2-small.header.safetensors: the header of GPT-2 small's model.safetensors as
Hugging Face publishes it (keys without a prefix, float32, the attention's causal-mask buffer
h.{i}.attn.bias [1, 1, 1024, 1024] kept, no lm_head.weight), and no data section: 8 bytes of
length and the JSON. Sizes: n_layer 12, n_embd 768, n_positions 1024, vocab 50257. Tests derive
the other key variants (a transformer. prefix, masked_bias, lm_head.weight) from it."""
import json
import struct
from pathlib import Path

D, N, P, V = 768, 12, 1024, 50257
shapes = {"wte.weight": [V, D], "wpe.weight": [P, D]}
for i in range(N):
    h = f"h.{i}."
    shapes.update({h + "ln_1.weight": [D], h + "ln_1.bias": [D],
                   h + "attn.bias": [1, 1, P, P],
                   h + "attn.c_attn.weight": [D, 3 * D], h + "attn.c_attn.bias": [3 * D],
                   h + "attn.c_proj.weight": [D, D], h + "attn.c_proj.bias": [D],
                   h + "ln_2.weight": [D], h + "ln_2.bias": [D],
                   h + "mlp.c_fc.weight": [D, 4 * D], h + "mlp.c_fc.bias": [4 * D],
                   h + "mlp.c_proj.weight": [4 * D, D], h + "mlp.c_proj.bias": [D]})
shapes.update({"ln_f.weight": [D], "ln_f.bias": [D]})
header, offset = {"__metadata__": {"format": "pt"}}, 0
for name in sorted(shapes):  # Hugging Face writes keys sorted
    n = 4
    for d in shapes[name]:
        n *= d
    header[name] = {"dtype": "F32", "shape": shapes[name], "data_offsets": [offset, offset + n]}
    offset += n
text = json.dumps(header, separators=(",", ":")).encode("utf-8")
text += b" " * (-len(text) % 8)
out = Path(__file__).resolve().parent / "gpt2-small.header.safetensors"
out.write_bytes(struct.pack("<Q", len(text)) + text)
print(out, len(shapes), "tensors,", offset, "data bytes (not written)")
