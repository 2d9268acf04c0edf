"""Train a GRU prior on the training corpus (PyTorch, CPU, fixed seed).

    python scripts/train_prior.py --embed 32 --hidden 256 --steps N --threads 2 --out mixzip/priors/gru-....mxp

Data.  The corpus (corpus.py) is read whole and checked against the
manifest's sha256.  Files whose sha256(path) falls in the first 1/64 of the
hash range are held out for validation.  B streams run side by side; each
stream plays one document after another (a document ending inside a chunk
pads the rest of its row, the next starts the next chunk), a document being a file's first
``doc`` bytes (probability ``p_start``) or ``doc`` bytes from a random offset;
files are drawn with probability proportional to sqrt(size), so the many
small files of a kind weigh more than one large file.  A document starts
like a mixzip stream: state zeroed, input byte 0.

Optimisation.  Truncated BPTT over chunks of T bytes (state carried between
chunks, gradient cut), cross-entropy in nats, Adam (lr ``lr`` with linear
warm-up over 2% of the steps and cosine decay to lr/20), gradient norm
clipped to 1.  Every ``eval_every`` steps: validation bits per byte on the
first 4 KB of each held-out file (the part of a stream a prior matters most
for).  Seeds: torch.manual_seed(seed) for the initial weights,
numpy.random.default_rng(seed) for the data order; with the same corpus,
steps, sizes and thread count the run repeats (thread count changes float
summation order in PyTorch's kernels).

Between steps the run waits while ``pause_file`` exists (the shared VM's
QUIET flag); paused time is not counted in the reported training time.  The
log gives wall-clock seconds (less pauses) and the process's CPU seconds: on
a shared machine under ``nice -n 19`` the first depends on the neighbours,
the second does not.
"""
from __future__ import annotations

import hashlib
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from mixzip.training import corpus
from mixzip.training.model import GruLM


def held_out(path: str) -> bool:
    """1/64 of the files, by a salted hash (corpus.py selects files by the plain sha256 of the path)."""
    return hashlib.sha256(b"held-out:" + path.encode()).digest()[0] < 4


def load(root=None, log=print):
    """(train files [bytes], valid files [bytes], kinds [str]) from the corpus."""
    train, valid, kinds = [], [], []
    for r, data in corpus.iter_texts(root):
        if held_out(r["path"]):
            valid.append(data)
        else:
            train.append(data)
            kinds.append(r["kind"])
    log(f"corpus: {len(train)} training files {sum(map(len, train)) / 1e6:.1f} MB, "
        f"{len(valid)} held out {sum(map(len, valid)) / 1e6:.2f} MB")
    return train, valid, kinds


class Streams:
    """B document streams -> (x, y, fresh) chunks of T steps.  A document
    never shares a row of a chunk with another: when it ends inside a chunk
    the rest of the row is padding (target -100, no loss), and the next
    document starts the next chunk with a zero state (fresh[s] True)."""

    def __init__(self, files, batch: int, chunk: int, doc: int, p_start: float, rng):
        self.files, self.b, self.t, self.doc, self.p_start, self.rng = files, batch, chunk, doc, p_start, rng
        w = np.sqrt(np.array([len(f) for f in files], dtype=np.float64))
        self.cdf = np.cumsum(w / w.sum())
        self.cur = [np.zeros(0, dtype=np.uint8)] * batch
        self.pos = [0] * batch
        self.pad = 0

    def _document(self) -> np.ndarray:
        i = min(int(np.searchsorted(self.cdf, self.rng.random())), len(self.files) - 1)
        f = self.files[i]
        if len(f) <= self.doc or self.rng.random() < self.p_start:
            start = 0
        else:
            start = int(self.rng.integers(0, len(f) - self.doc))
        return np.frombuffer(f, dtype=np.uint8, count=min(self.doc, len(f) - start), offset=start)

    def next(self):
        x = np.zeros((self.b, self.t), dtype=np.int64)
        y = np.full((self.b, self.t), -100, dtype=np.int64)
        fresh = np.zeros(self.b, dtype=bool)
        for s in range(self.b):
            d, p = self.cur[s], self.pos[s]
            if p >= len(d):
                d = self.cur[s] = self._document()
                p = 0
                fresh[s] = True
            n = min(self.t, len(d) - p)
            y[s, :n] = d[p:p + n]
            x[s, 0] = d[p - 1] if p > 0 else 0
            x[s, 1:n] = d[p:p + n - 1]
            self.pos[s] = p + n
            self.pad += self.t - n
        return torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(fresh)


def valid_bpb(model: GruLM, valid, prefix: int = 4096, batch: int = 64) -> float:
    """Mean bits per byte over the first ``prefix`` bytes of each held-out file."""
    docs = [np.frombuffer(f, dtype=np.uint8, count=min(prefix, len(f))) for f in valid]
    docs.sort(key=len)
    bits, n = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(docs), batch):
            grp = docs[i:i + batch]
            t = max(len(d) for d in grp)
            x = np.zeros((len(grp), t), dtype=np.int64)
            y = np.zeros((len(grp), t), dtype=np.int64)
            m = np.zeros((len(grp), t), dtype=bool)
            for j, d in enumerate(grp):
                y[j, :len(d)] = d
                x[j, 1:len(d)] = d[:-1]
                m[j, :len(d)] = True
            lg, _ = model(torch.from_numpy(x), torch.zeros(len(grp), model.h))
            ce = F.cross_entropy(lg.reshape(-1, 256), torch.from_numpy(y).reshape(-1), reduction="none")
            mm = torch.from_numpy(m).reshape(-1)
            bits += float(ce[mm].sum()) / math.log(2)
            n += int(mm.sum())
    return bits / max(n, 1)


def train(embed: int = 32, hidden: int = 256, steps: int = 2000, batch: int = 32, chunk: int = 128,
          lr: float = 3e-3, doc: int = 65536, p_start: float = 0.5, seed: int = 16, threads: int = 1,
          eval_every: int = 250, root=None, pause_file: str | None = None, checkpoint: Path | None = None,
          log=print):
    """Returns (model, info dict)."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    train_files, valid, _ = load(root, log)
    model = GruLM(embed, hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    warm = max(1, steps // 50)

    def rate(i):
        if i < warm:
            return (i + 1) / warm
        q = (i - warm) / max(1, steps - warm)
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * q))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, rate)
    streams = Streams(train_files, batch, chunk, doc, p_start, rng)
    h = torch.zeros(batch, hidden)
    busy, paused, t_last, cpu0 = 0.0, 0.0, time.time(), time.process_time()
    curve, run_loss = [], 0.0
    for i in range(steps):
        while pause_file and os.path.exists(pause_file):
            t0 = time.time()
            time.sleep(30)
            paused += time.time() - t0
        x, y, fresh = streams.next()
        h = h.detach() * (~fresh).unsqueeze(1).to(h.dtype)
        lg, h = model(x, h)
        loss = F.cross_entropy(lg.reshape(-1, 256), y.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        run_loss += float(loss.detach())
        if (i + 1) % eval_every == 0 or i + 1 == steps:
            now = time.time()
            busy += now - t_last - paused
            paused = 0.0
            vb = valid_bpb(model, valid)
            tb = run_loss / eval_every / math.log(2)
            run_loss = 0.0
            curve.append((i + 1, round(busy, 1), round(time.process_time() - cpu0, 1), round(tb, 4), round(vb, 4)))
            cpu = time.process_time() - cpu0
            log(f"step {i + 1}/{steps} {busy:7.0f} s ({cpu:.0f} s CPU) train {tb:.3f} bpb valid(4K prefixes) {vb:.3f} bpb "
                f"lr {sched.get_last_lr()[0]:.2e}")
            if checkpoint:
                torch.save(model.state_dict(), checkpoint)
            t_last = now                      # evaluation time counts as training time
    info = dict(embed=embed, hidden=hidden, steps=steps, batch=batch, chunk=chunk, lr=lr, doc=doc,
                p_start=p_start, seed=seed, threads=threads, bytes_seen=steps * batch * chunk - streams.pad,
                train_seconds=round(busy), cpu_seconds=round(time.process_time() - cpu0),
                valid_bpb=curve[-1][-1] if curve else None, curve=curve,
                corpus_files=len(train_files), corpus_bytes=sum(map(len, train_files)),
                torch=torch.__version__)
    return model, info
