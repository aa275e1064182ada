"""Seeded synthetic texts of two kinds, for training and scoring a relevance classifier."""

from __future__ import annotations

import random

CRYPTO = (
    "validators stake tokens to secure the chain",
    "the rollup posts batches of transactions to layer one",
    "a smart contract wallet supports social recovery",
    "the oracle reports a median price from many sources",
    "liquidity providers earn fees from the automated market maker",
    "the bridge locks collateral in a vault",
    "fraud proofs let anyone challenge an invalid state root",
    "block builders bid for inclusion in the next slot",
    "the stablecoin publishes monthly reserve attestations",
    "delegators share slashing penalties with operators",
    "zero knowledge proofs verify computation without revealing inputs",
    "the base fee burns with every block",
    "governance token holders vote on protocol upgrades",
    "light clients follow the sync committee signatures",
)
OFF_TOPIC = (
    "roast the tomatoes with garlic and thyme",
    "the striker scored twice in the second half",
    "water the seedlings every morning in spring",
    "the museum opens a new wing of baroque paintings",
    "knead the dough until it is smooth and elastic",
    "the coach changed the lineup before the final",
    "prune the roses after the last frost",
    "the orchestra rehearsed the symphony for weeks",
    "simmer the soup on low heat for an hour",
    "the marathon route passes the old harbour",
    "repot the fern into a larger clay pot",
    "the novel follows three sisters across a long winter",
)


def text(kind: tuple[str, ...], rng: random.Random, sentences: int = 12) -> str:
    """A paragraph of `sentences` sentences drawn from `kind`."""
    return ". ".join(rng.choice(kind).capitalize() for _ in range(sentences)) + "."


def corpus(n_each: int, seed: int = 0) -> list[tuple[str, str]]:
    """`(label, text)` pairs: `n_each` relevant (crypto) and `n_each` irrelevant texts."""
    rng = random.Random(seed)
    return [("relevant", text(CRYPTO, rng)) for _ in range(n_each)] + [
        ("irrelevant", text(OFF_TOPIC, rng)) for _ in range(n_each)
    ]
