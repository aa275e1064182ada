r"""The maths of membership scores. Convention: a higher score means more likely a member.

Notation: text x, B = len(x.encode("utf-8")) its bytes, NLL_m = \sum_i -\ln p_m(x_i | x_{<i}) in nats
under model m with the model's BOS token prepended (so every real token is scored), n_m its tokens.

- LOSS (Yeom et al., 2018): mean token NLL, NLL_T / n_T (nats/token). Comparable across models only
  as bits per byte, bpb_m = NLL_m / (B ln 2). The `loss` score is -bpb_T.
- zlib (Carlini et al., 2021, "Extracting training data from large language models"): the model's
  bits over zlib's bits, zlib = -(NLL_T / ln 2) / (8 |zlib(x)|). zlib_bpb = 8 |zlib(x)| / B.
  `zlib_diff` = zlib_bpb - bpb_T uses zlib as a reference model (a per-byte reference ratio).
- Reference ratio (Carlini 2021; Mireshghallah et al., 2022): ref_ratio_r = bpb_R - bpb_T, i.e.
  (NLL_R - NLL_T) / (B ln 2). Per byte, not a difference of per-token means: models with different
  tokenizers would otherwise be biased by their compression ratio. With several references the score is
  the mean over references.
- Min-K%++ (Zhang et al., 2024): z_i = (ln p(x_i) - \mu_i) / \sigma_i with \mu_i = E_{v~p}[ln p(v)] and
  \sigma_i^2 = E_{v~p}[(ln p(v))^2] - \mu_i^2 over the full vocabulary at step i; the score is the mean of
  the lowest ceil(k n) values of z (k = 0.2). Target model only.
- LiRA, offline variant (Carlini et al., 2022, "Membership inference attacks from first principles"):
  \phi_m = -bpb_m; with K >= 2 references, fit a Gaussian N(\mu_R, s_R^2) to the references' \phi per
  document and score z = (\phi_T - \mu_R) / max(s_R, s_floor). s_R is the sample standard deviation;
  s_floor (bits/byte) keeps a small K from producing huge z when two references happen to agree.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

LN2 = math.log(2.0)
SCORE_NAMES = ("zlib_diff", "loss", "zlib", "ref_ratio", "mink_pp", "lira")


@dataclass(frozen=True)
class DocScore:
    """What one model says about one text.

    n_tokens: tokens scored (BOS excluded); nll: their summed negative log-likelihood in nats;
    n_bytes: UTF-8 bytes of the scored text; mink_pp: Min-K%++ (None when not computed).
    """

    n_tokens: int
    nll: float
    n_bytes: int
    mink_pp: float | None = None

    @property
    def bpb(self) -> float:
        """Bits per byte."""
        return self.nll / (max(self.n_bytes, 1) * LN2)

    @property
    def loss(self) -> float:
        """Mean negative log-likelihood per token, nats."""
        return self.nll / max(self.n_tokens, 1)


def zlib_bits(data: bytes) -> int:
    """Bits of the zlib (level 9) compression of `data`."""
    return 8 * len(zlib.compress(data, 9))


def zlib_bpb(data: bytes) -> float:
    """zlib bits per byte of `data` (above 8 for short or random text: the header costs ~11 bytes)."""
    return zlib_bits(data) / max(len(data), 1)


def mink_pp(z: np.ndarray, k: float) -> float:
    """Mean of the lowest ceil(k * len(z)) per-token Min-K%++ values."""
    if len(z) == 0:
        return float("nan")
    n = max(1, math.ceil(k * len(z)))
    return float(np.partition(np.asarray(z, dtype=np.float64), n - 1)[:n].mean())


def ref_ratio(target_bpb: float, ref_bpbs: list[float]) -> float:
    """Mean over references of bpb_R - bpb_T (bits/byte)."""
    return float(np.mean(ref_bpbs) - target_bpb) if ref_bpbs else float("nan")


def lira(target_bpb: float, ref_bpbs: list[float], std_floor: float) -> float:
    """One-sided z-score of the target's -bpb against a Gaussian fit of the references' -bpb."""
    if not ref_bpbs:
        return float("nan")
    phi = -np.asarray(ref_bpbs, dtype=np.float64)
    std = float(phi.std(ddof=1)) if len(phi) > 1 else 0.0
    return float((-target_bpb - phi.mean()) / max(std, std_floor))


def all_scores(
    target: DocScore, refs: list[DocScore], zbits: int, std_floor: float = 0.02
) -> dict[str, float | None]:
    """Every score of SCORE_NAMES for one text (None where it cannot be computed)."""
    bpb_t = target.bpb
    ref_bpbs = [r.bpb for r in refs]
    return {
        "zlib_diff": zbits / max(target.n_bytes, 1) - bpb_t,
        "loss": -bpb_t,
        "zlib": -(target.nll / LN2) / max(zbits, 1),
        "ref_ratio": ref_ratio(bpb_t, ref_bpbs) if refs else None,
        "mink_pp": target.mink_pp,
        "lira": lira(bpb_t, ref_bpbs, std_floor) if len(refs) >= 2 else None,
    }
