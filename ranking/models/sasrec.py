"""SASRec (Kang & McAuley, 2018): a causal transformer over the shopper's item sequence.

Trained with the full softmax over the catalogue (a few thousand items: cheaper and better than
sampled negatives at this size). Runs on the GPU when torch sees one, else on the CPU.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from shopassist.ranking.interactions import Interactions


@dataclass(frozen=True)
class SASRecConfig:
    dim: int = 64  # item embedding size; 64 is the usual choice for catalogues of thousands
    layers: int = 2
    heads: int = 1
    dropout: float = 0.5  # high: histories are short and the model overfits them quickly
    max_len: int = 50  # most recent events the model reads
    loss_positions: int = 20  # per history, the newest positions trained to predict their next item:
    # long retail histories would otherwise cost 2-3x per epoch for positions far in the past
    lr: float = 1e-3
    batch: int = 256
    epochs: int = 30  # an upper bound; the tuner stops earlier on validation targets
    seed: int = 0
    device: str = "auto"  # auto = cuda when available


class _Net(nn.Module):
    def __init__(self, n_items: int, c: SASRecConfig):
        super().__init__()
        self.c = c
        self.item = nn.Embedding(n_items + 1, c.dim, padding_idx=0)  # code + 1; 0 = padding
        self.pos = nn.Embedding(c.max_len, c.dim)
        layer = nn.TransformerEncoderLayer(c.dim, c.heads, c.dim, c.dropout, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, c.layers, enable_nested_tensor=False)
        self.norm_in, self.norm_out, self.drop = nn.LayerNorm(c.dim), nn.LayerNorm(c.dim), nn.Dropout(c.dropout)
        for m in self.modules():  # small initial logits: the softmax starts near uniform
            if isinstance(m, (nn.Embedding, nn.Linear)):
                nn.init.normal_(m.weight, 0.0, 0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (batch, T) left-padded codes+1 -> (batch, T, dim) hidden states."""
        t = x.shape[1]
        # Positions count back from the newest event, so a trimmed batch means the same as a full one.
        h = self.norm_in(self.item(x) + self.pos(torch.arange(self.c.max_len - t, self.c.max_len, device=x.device))[None])
        h = self.drop(h) * (x > 0)[..., None]
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool, device=x.device), 1)
        return self.norm_out(self.encoder(h, mask=causal, is_causal=True))

    def logits(self, h: torch.Tensor) -> torch.Tensor:
        return h @ self.item.weight[1:].T


@dataclass
class SASRec:
    config: SASRecConfig = field(default_factory=SASRecConfig)
    name: str = "sasrec"
    epochs_trained: int = 0  # the epoch whose weights are kept (the best one when monitored)
    history: list[tuple[int, float]] = field(default_factory=list)  # (epoch, monitored metric)
    n_items: int = 0
    state: dict | None = None  # CPU weights: what is pickled
    _net: _Net | None = field(default=None, repr=False)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_net"} | {"_net": None}

    @property
    def device(self) -> torch.device:
        if self.config.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return torch.device(self.config.device)

    def fit(
        self,
        data: Interactions,
        monitor: Callable[["SASRec"], float] | None = None,
        every: int = 3,
        patience: int = 2,
        progress: Callable[[int, int], None] | None = None,
    ) -> "SASRec":
        """Train for `config.epochs`; with a monitor (higher is better, e.g. validation NDCG), check it
        every `every` epochs, keep the best weights and stop after `patience` checks without gain.

        >>> from shopassist.ranking.interactions import toy
        >>> m = SASRec(SASRecConfig(dim=8, epochs=2)).fit(toy(["abc", "abc"]))
        >>> m.score([np.array([0, 1])]).shape
        (1, 3)
        """
        c = self.config
        torch.manual_seed(c.seed)
        rng = np.random.default_rng(c.seed)
        self.n_items = data.n_items
        device = self.device
        net = _Net(data.n_items, c).to(device)
        opt = torch.optim.Adam(net.parameters(), lr=c.lr)
        batches = _length_buckets([s[-c.max_len - 1 :] for s in data.sequences if len(s) >= 2], c.batch, c.loss_positions)
        best, best_epoch, checks_without_gain = -np.inf, 0, 0
        self._net, self.history = net, []
        for epoch in range(1, c.epochs + 1):
            net.train()
            for b in rng.permutation(len(batches)):
                x, y = (t.to(device) for t in batches[b])
                hidden = net(x)
                real = y > 0
                loss = F.cross_entropy(net.logits(hidden[real]), y[real] - 1)
                opt.zero_grad()
                loss.backward()
                opt.step()
            if progress:
                progress(epoch, c.epochs)
            if monitor is None or (epoch % every and epoch != c.epochs):
                continue
            value = monitor(self)
            self.history.append((epoch, value))
            if value > best:
                best, best_epoch, checks_without_gain = value, epoch, 0
                self.state = {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}
            else:
                checks_without_gain += 1
                if checks_without_gain >= patience:
                    break
        if monitor is None:
            best_epoch = c.epochs
            self.state = {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}
        self.epochs_trained = best_epoch
        self._net = None  # rebuilt from the kept state on first use
        return self

    def _model(self) -> _Net:
        if self._net is None:
            if self.state is None:
                raise RuntimeError("SASRec.score before fit")
            net = _Net(self.n_items, self.config)
            net.load_state_dict(self.state)
            self._net = net.to(self.device).eval()
        return self._net

    @torch.no_grad()
    def score(self, histories: Sequence[np.ndarray], chunk: int = 1024) -> np.ndarray:
        """Logits of the next item; an empty history scores 0 everywhere (the model has nothing to read)."""
        net = self._model()
        was_training = net.training  # scored mid-training by the monitor: restore the mode after
        if was_training:
            net.eval()
        out = np.zeros((len(histories), self.n_items), np.float32)
        for start in range(0, len(histories), chunk):
            part = histories[start : start + chunk]
            x = _pad([np.asarray(h)[-self.config.max_len :] for h in part], max(1, max(min(len(h), self.config.max_len) for h in part)))
            out[start : start + len(part)] = net.logits(net(x.to(self.device))[:, -1]).float().cpu().numpy()
        out[[len(h) == 0 for h in histories]] = 0.0
        if was_training:
            net.train()
        return out


def _pad(seqs: Sequence[np.ndarray], length: int) -> torch.Tensor:
    x = np.zeros((len(seqs), length), np.int64)
    for row, s in enumerate(seqs):
        if len(s):
            x[row, length - len(s) :] = np.asarray(s) + 1
    return torch.from_numpy(x)


def _length_buckets(seqs: list[np.ndarray], batch: int, loss_positions: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(inputs, next items) batches of similar lengths: most histories are short, so padding every
    batch to the longest one would multiply the work. Targets before the last `loss_positions` are
    blanked (0 = no loss); their items still serve as context."""
    seqs = sorted(seqs, key=len)
    out = []
    for start in range(0, len(seqs), batch):
        group = seqs[start : start + batch]
        t = max(len(s) for s in group) - 1
        targets = _pad([s[1:] for s in group], t)
        targets[:, : max(t - loss_positions, 0)] = 0  # left-padded: the newest positions are the last columns
        out.append((_pad([s[:-1] for s in group], t), targets))
    return out
