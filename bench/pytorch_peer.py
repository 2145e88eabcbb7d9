#!/usr/bin/env python3
"""PyTorch peer of `ablation.jar bench`: the same decoder-only model (pre-LN, GELU, untied
embeddings, hand-rolled causal attention, d_ff = 4 d_model, 4 heads, vocab 32), the same batch
(32), Adam, one thread unless OMP_NUM_THREADS says otherwise. Prints
<config>.pytorch_full_step_ms=<median> (wall) and <config>.pytorch_full_step_cpu_ms=<median>
(this thread's CPU time) per configuration.

Run with Debian's interpreter: /usr/bin/python3 bench/pytorch_peer.py [--timed N] [--warmup N]
"""
import argparse, math, os, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, t):
        super().__init__()
        self.h, self.dh = heads, d // heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.w_in, self.w_out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.register_buffer("mask", torch.triu(torch.full((t, t), -1e9), diagonal=1))

    def forward(self, x):  # x: [b, t, d]
        b, t, d = x.shape
        h = self.ln1(x)
        q = self.q(h).view(b, t, self.h, self.dh).transpose(1, 2)
        k = self.k(h).view(b, t, self.h, self.dh).transpose(1, 2)
        v = self.v(h).view(b, t, self.h, self.dh).transpose(1, 2)
        s = q @ k.transpose(-1, -2) / math.sqrt(self.dh) + self.mask
        a = torch.softmax(s, dim=-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, t, d))
        return x + self.w_out(F.gelu(self.w_in(self.ln2(x))))


class Decoder(nn.Module):
    def __init__(self, n, d, t, vocab=32, heads=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(t, d) / math.sqrt(d))
        self.blocks = nn.ModuleList(Block(d, heads, t) for _ in range(n))
        self.ln_final = nn.LayerNorm(d)
        self.unembed = nn.Linear(d, vocab)

    def forward(self, tokens):
        x = self.embed(tokens) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return self.unembed(self.ln_final(x))


def bench(n, d, t, batch, warmup, timed):
    torch.manual_seed(1)
    model = Decoder(n, d, t)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = [torch.randint(0, 32, (batch, t + 1)) for _ in range(8)]
    times, cpu = [], []
    for i in range(warmup + timed):
        seq = data[i % len(data)]
        t0 = time.perf_counter()
        c0 = time.thread_time()
        loss = F.cross_entropy(model(seq[:, :-1]).reshape(-1, 32), seq[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.thread_time() - c0) * 1e3)
    return statistics.median(times), statistics.median(cpu)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--timed", type=int, default=21)
    p.add_argument("--warmup", type=int, default=8)
    p.add_argument("--config", default="4x64x64,2x32x32")
    a = p.parse_args()
    threads = int(os.environ.get("OMP_NUM_THREADS", "1"))
    torch.set_num_threads(threads)
    print(f"pytorch={torch.__version__}")
    print(f"pytorch_threads={torch.get_num_threads()}")
    cfg = torch.__config__.show()
    print("pytorch_blas=" + ("openblas" if "openblas" in cfg.lower() else "see-ldd"))
    for c in a.config.split(","):
        n, d, t = (int(x) for x in c.split("x"))
        ms, cpu_ms = bench(n, d, t, 32, a.warmup, a.timed)
        print(f"n{n}_d{d}_t{t}.pytorch_full_step_ms={ms:.3f}")
        # this thread's CPU time: with one thread the ops run on it; steadier on a busy machine
        print(f"n{n}_d{d}_t{t}.pytorch_full_step_cpu_ms={cpu_ms:.3f}")


if __name__ == "__main__":
    main()
