#!/usr/bin/env python3
"""Regenerate the generated parts of the offline sample corpus in data/sample/.

Standard library only. Output is fully deterministic (fixed seeds, fixed dates),
so re-running this script produces byte-identical files.

Generated here:
  data/sample/pdf/*.pdf          three small text whitepapers (hand-rolled PDF syntax)
  data/sample/bad/broken.pdf     %PDF header followed by garbage, truncated
  data/sample/bad/binary.txt     4 KiB of seeded random bytes, including NULs
  data/sample/bad/latin1.txt     English paragraph in cp1252 (not valid UTF-8)
  data/sample/bad/empty.html     zero bytes

The HTML pages, markdown files and JSONL under data/sample/ are hand-written and
are not touched by this script. All prose in the sample corpus was written for
this project.

Usage: python scripts/make_sample.py
"""

from __future__ import annotations

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"

# --------------------------------------------------------------------------
# Whitepaper texts. Blocks: ("h", heading) or ("p", paragraph). ASCII only.
# --------------------------------------------------------------------------

WHITEPAPERS = [
    {
        "file": "halcyon-whitepaper-v1.2.pdf",
        "header": "Halcyon Network Whitepaper v1.2",
        "title": "Halcyon Network: Fast Final Settlement for Regulated Payments",
        "author": "Halcyon Foundation Research",
        "blocks": [
            ("h", "Abstract"),
            (
                "p",
                "Halcyon Network is a proof of stake blockchain designed for payment and settlement workloads in which "
                "reversals are unacceptable. Every block is final as soon as it is committed, typical confirmation "
                "latency is below two seconds, and participants can hide transfer amounts from the public while still "
                "proving that balances are conserved. This document describes the consensus protocol, the account "
                "model, the confidential transfer scheme and the economic design of the HAL token.",
            ),
            ("h", "1. Motivation"),
            (
                "p",
                "Payment processors and banks that experimented with public blockchains repeatedly reported the same "
                "obstacles. Probabilistic finality forces them to wait for many confirmations before releasing goods or "
                "funds, fee volatility makes costs hard to forecast, and full transparency of amounts exposes "
                "commercially sensitive information to competitors. Private ledgers solve these problems by giving up "
                "openness and independent verification. Halcyon aims for a middle path: an open validator set, public "
                "verifiability of every state transition, deterministic finality and selective confidentiality.",
            ),
            ("h", "2. Consensus"),
            (
                "p",
                "Halcyon uses a leader based Byzantine fault tolerant protocol with rotating proposers. Time is divided "
                "into rounds. In each round a proposer, selected by a verifiable random function weighted by stake, "
                "broadcasts a block. Validators vote in two phases, prevote and precommit, and a block is committed once "
                "precommits representing more than two thirds of total stake have been collected. Committed blocks are "
                "never reverted unless more than one third of stake signs conflicting messages, in which case the "
                "offending validators can be identified from their signatures and slashed.",
            ),
            (
                "p",
                "To keep latency low, votes are aggregated using BLS signatures (one aggregate per phase per round), and "
                "the protocol pipelines the prevote phase of height h+1 with the precommit phase of height h. Under "
                "normal conditions, with validators distributed across three continents, the median time from "
                "transaction submission to finality measured on the public testnet was 1.6 seconds.",
            ),
            (
                "p",
                "If a proposer fails to produce a block, validators time out and move to the next round with a new "
                "proposer. Timeouts grow linearly with the number of consecutive failed rounds, which guarantees "
                "eventual progress once the network becomes synchronous.",
            ),
            ("h", "3. Accounts and Fees"),
            (
                "p",
                "Halcyon uses an account model. Each account holds a balance, a nonce and an optional set of "
                "authorised keys with weights, which allows institutions to implement approval policies such as two of "
                "three signers natively. Fees are denominated in HAL but quoted in a stable unit: every epoch, a fee "
                "schedule maps resource usage to a price, and governance adjusts the schedule so that a simple transfer "
                "costs approximately the same amount in fiat terms over time. Half of each fee is burned and half is "
                "paid to the proposer.",
            ),
            ("h", "4. Confidential Transfers"),
            (
                "p",
                "Balances in confidential accounts are stored as Pedersen commitments. A confidential transfer contains "
                "commitments to the amount sent and the new balances, together with range proofs that show each "
                "committed value is non-negative and below 2^64. Validators check the proofs and verify that the "
                "commitments balance, so no value can be created, but they learn nothing about the amounts. Each "
                "account may register one or more auditor keys; the sender encrypts the amount to those keys so that an "
                "authorised auditor (for example a regulator or an internal compliance team) can decrypt the value "
                "without involving the account holder. We write A \\ B for the set of auditors registered on A but not "
                "on B; transfers between accounts whose auditor sets differ must encrypt to the union of both sets.",
            ),
            ("h", "5. Token Economics"),
            (
                "p",
                "The initial supply of HAL is 1,000,000,000 units. Of this supply, 18 percent is allocated to the "
                "foundation, 22 percent to early contributors with a one year cliff followed by three years of linear "
                "vesting, 35 percent to an ecosystem grants pool released over eight years, and 25 percent to validator "
                "incentives. New issuance starts at 4 percent per year and declines by 0.5 percentage points annually "
                "to a floor of 1 percent. Because half of all fees are burned, net inflation can fall below the issuance "
                "rate when the network is busy.",
            ),
            ("h", "6. Governance"),
            (
                "p",
                "Protocol parameters and upgrades are decided by stake weighted on chain votes. Proposals require a "
                "deposit, a minimum participation of 40 percent of bonded stake, and a simple majority of votes cast. "
                "Upgrades that change consensus rules are scheduled at a fixed height no sooner than fourteen days after "
                "approval, giving operators time to install new software.",
            ),
            ("h", "7. Conclusion"),
            (
                "p",
                "Halcyon combines deterministic finality, predictable fees and auditable confidentiality in an open "
                "network. The protocol deliberately trades some generality for the properties that payment workloads "
                "require, and future versions will extend programmability while preserving these guarantees.",
            ),
        ],
    },
    {
        "file": "tessera-da-whitepaper-v0.9.pdf",
        "header": "Tessera Data Availability Layer - Whitepaper v0.9 (draft)",
        "title": "Tessera: A Sampling Based Data Availability Layer for Rollups",
        "author": "Tessera Labs",
        "blocks": [
            ("h", "Abstract"),
            (
                "p",
                "Rollups move execution away from the base layer but still need a place to publish their transaction "
                "data so that anyone can reconstruct their state. Tessera is a dedicated data availability network. It "
                "orders and stores blobs of data, does not execute them, and allows light nodes to verify availability "
                "by downloading a small random sample of each block. Throughput scales with the number of sampling "
                "nodes rather than with the capacity of a single machine.",
            ),
            ("h", "1. Design Goals"),
            (
                "p",
                "We target four properties. First, availability verification must be possible on commodity hardware, "
                "including mobile devices, so that users do not depend on full nodes operated by others. Second, the "
                "cost of publishing data should be predictable and close to the marginal cost of bandwidth and storage. "
                "Third, rollups must be able to prove to their settlement layer that data was published, using compact "
                "attestations. Fourth, the system should retain data for long enough that any honest party can "
                "download it and challenge or reconstruct rollup state, but not forever.",
            ),
            ("h", "2. Block Structure"),
            (
                "p",
                "Each Tessera block contains a list of blobs tagged with namespace identifiers. The block producer "
                "arranges the data into a k by k matrix of shares, each 512 bytes, and applies a two dimensional "
                "Reed-Solomon extension to obtain a 2k by 2k matrix. Every row and column of the extended matrix is "
                "committed with a polynomial commitment, and the block header contains the root of a Merkle tree over "
                "these commitments. Because commitments bind the producer to a correct encoding, no fraud proofs for "
                "bad encoding are needed.",
            ),
            (
                "p",
                "Namespaces allow a rollup to download only its own data. Shares are ordered by namespace, and the "
                "commitment scheme supports proofs that a given range of shares contains all data for a namespace and "
                "nothing has been omitted.",
            ),
            ("h", "3. Sampling"),
            (
                "p",
                "A light node that receives a new header selects s random coordinates in the extended matrix and "
                "requests the corresponding shares with opening proofs from its peers. If a producer withholds enough "
                "data to make the block unrecoverable, at least one quarter of the extended shares must be missing, so "
                "each sample fails with probability at least 0.25. With s = 16 samples, the probability that a light "
                "node wrongly accepts an unavailable block is below 1 percent; with s = 32 it is below 0.01 percent. "
                "Nodes that observe a failed sample refuse to follow the block and alert their peers.",
            ),
            (
                "p",
                "Sampling requests are served over a distributed hash table in which each share is stored by several "
                "peers chosen by its coordinates. Full storage nodes also serve entire rows to rollup nodes that need "
                "complete namespaces.",
            ),
            ("h", "4. Consensus and Fees"),
            (
                "p",
                "Block ordering uses a standard Byzantine fault tolerant protocol among a set of staked validators. "
                "Validators are required to hold the full extended block before voting, which means that a committed "
                "block is guaranteed to have been available to at least two thirds of stake at commit time. Fees are "
                "charged per share with a base fee that adjusts toward a target of half of the maximum block size, in "
                "the same way as established fee markets on execution layers. The base fee is burned.",
            ),
            ("h", "5. Retention"),
            (
                "p",
                "Validators and storage nodes must retain block data for a minimum of thirty days (the retention "
                "window). This exceeds the challenge period of all optimistic rollups we are aware of. Data older than "
                "the window may be pruned; archival services and rollup operators are expected to store historical data "
                "they need.",
            ),
            ("h", "6. Security Considerations"),
            (
                "p",
                "Sampling guarantees rely on light nodes making requests that the producer cannot link to one "
                "another. A producer that can identify which node made which request could answer the first few "
                "nodes honestly and withhold from the rest. Tessera mitigates this by routing sample requests through "
                "randomly chosen peers and by requiring a minimum number of independent sampling nodes before a block is "
                "considered available for bridge attestations.",
            ),
        ],
    },
    {
        "file": "meridian-reserve-whitepaper-v2.0.pdf",
        "header": "Meridian Reserve Protocol Whitepaper v2.0",
        "title": "Meridian: An Overcollateralised Stablecoin With Bounded Governance",
        "author": "Meridian Contributors",
        "blocks": [
            ("h", "Summary"),
            (
                "p",
                "Meridian issues MRD, a stablecoin targeting one US dollar, against overcollateralised deposits of "
                "liquid digital assets. Version 2.0 introduces isolated collateral vaults, a redemption mechanism that "
                "defends the lower side of the peg, and a governance framework in which most risk parameters can only "
                "move within bounds fixed at deployment. This paper describes the mechanisms and the reasoning behind "
                "each change from version 1.",
            ),
            ("h", "1. Vaults and Collateral"),
            (
                "p",
                "A user opens a vault by depositing an approved collateral asset and may mint MRD up to a maximum "
                "determined by the collateral ratio for that asset. For example, with a minimum ratio of 150 percent, a "
                "deposit worth 1,500 dollars supports at most 1,000 MRD of debt. Debt accrues a stability fee, which "
                "is set separately for each collateral type. In version 1, all collateral types shared a single "
                "liquidation engine and a common debt ceiling, which meant that a problem with one asset could impair "
                "the whole system. Version 2.0 isolates each collateral type with its own debt ceiling, its own "
                "liquidation auctions and its own surplus buffer.",
            ),
            ("h", "2. Liquidations"),
            (
                "p",
                "When a vault falls below its minimum collateral ratio, anyone may trigger a liquidation. The "
                "collateral is sold through a descending price auction that starts above the oracle price and falls "
                "over time until a buyer accepts. Proceeds repay the debt plus a liquidation penalty of 10 percent; any "
                "remainder is returned to the vault owner. Auctions are capped in size per block to avoid flooding thin "
                "markets, and the keeper who triggers a liquidation receives a small fixed incentive to cover gas costs.",
            ),
            ("h", "3. Redemptions"),
            (
                "p",
                "Overcollateralised stablecoins historically defended the upper side of the peg well, because minting "
                "becomes attractive when the price is above one dollar, but struggled when the price fell below it. "
                "Meridian 2.0 lets any holder redeem MRD for one dollar's worth of collateral taken from the vaults with "
                "the lowest collateral ratios, minus a redemption fee that rises with recent redemption volume. "
                "Redemptions create a hard floor close to one dollar (less the fee) and gradually deleverage the riskiest "
                "positions. Vault owners whose collateral is redeemed keep the equivalent reduction in debt, so they "
                "suffer no loss beyond the change in their exposure.",
            ),
            ("h", "4. Oracles"),
            (
                "p",
                "Each collateral type uses a primary feed aggregated from independent reporters and a secondary feed "
                "derived from a time weighted on chain price. If the two differ by more than a configured tolerance, "
                "new minting against that collateral pauses, liquidations use the more conservative of the two prices, "
                "and a circuit breaker notifies the risk committee. Prices older than one hour are treated as invalid.",
            ),
            ("h", "5. Bounded Governance"),
            (
                "p",
                "The protocol is governed by holders of the MER token. Experience with version 1 showed that "
                "unrestricted parameter control created risk: a captured governance process could, for instance, "
                "reduce collateral ratios to near zero and mint unbacked stablecoins. In version 2.0 every risk parameter "
                "has an immutable range set at deployment (for example, the minimum collateral ratio of any asset may "
                "never fall below 110 percent), and each parameter may change by only a limited step per week. Adding a "
                "new collateral type requires a separate vote, a thirty day delay, and an initial debt ceiling no larger "
                "than 5 percent of total supply. Emergency powers are limited to pausing minting; no party can seize "
                "collateral or alter balances.",
            ),
            ("h", "6. Risks"),
            (
                "p",
                "Meridian remains exposed to sharp collateral price declines that outpace liquidations, to oracle "
                "failures, and to defects in its smart contracts. The surplus buffer absorbs bad debt first; beyond it, "
                "the protocol mints and sells MER to recapitalise. Users should understand that the peg is supported by "
                "economic incentives, not by a legal claim on any issuer.",
            ),
        ],
    },
]

# --------------------------------------------------------------------------
# Minimal PDF writer
# --------------------------------------------------------------------------

# Helvetica advance widths (1/1000 em) for ASCII 32..126, WinAnsiEncoding.
_HELV = [
    278,
    278,
    355,
    556,
    556,
    889,
    667,
    191,
    333,
    333,
    389,
    584,
    278,
    333,
    278,
    278,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    278,
    278,
    584,
    584,
    584,
    556,
    1015,
    667,
    667,
    722,
    722,
    667,
    611,
    778,
    722,
    278,
    500,
    667,
    556,
    833,
    722,
    778,
    667,
    778,
    722,
    667,
    611,
    722,
    667,
    944,
    667,
    667,
    611,
    278,
    278,
    278,
    469,
    556,
    333,
    556,
    556,
    500,
    556,
    556,
    278,
    556,
    556,
    222,
    222,
    500,
    222,
    833,
    556,
    556,
    556,
    556,
    333,
    500,
    278,
    556,
    500,
    722,
    500,
    500,
    500,
    334,
    260,
    334,
    584,
]

PAGE_W, PAGE_H = 612, 792
MARGIN_L = 72
TEXT_W = PAGE_W - 2 * MARGIN_L
BODY_SIZE, BODY_LEAD = 11, 15
HEAD_SIZE = 12
TOP_Y, BOTTOM_Y = 716, 84
VOWELS = set("aeiouy")


def text_width(s: str, size: float) -> float:
    return sum(_HELV[ord(c) - 32] for c in s) * size / 1000.0


def pdf_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _split_point(word: str, avail: float, size: float) -> int:
    """Largest hyphenation point i (word[:i] + '-' fits in avail) using a crude
    syllable rule: break between two consonants, or before a consonant that is
    followed by a vowel. Returns 0 when no acceptable point exists."""
    best = 0
    for i in range(3, len(word) - 3):
        a, b = word[i - 1].lower(), word[i].lower()
        c = word[i + 1].lower()
        ok = (a not in VOWELS and b not in VOWELS) or (a in VOWELS and b not in VOWELS and c in VOWELS)
        if ok and text_width(word[:i] + "-", size) <= avail:
            best = i
    return best


def wrap(text: str, size: float, width: float, hyphenate: bool = True) -> tuple[list[str], int]:
    """Greedy line wrap; long alphabetic words may be hyphenated across lines."""
    lines, cur, hyphens = [], "", 0
    words = text.split()
    k = 0
    while k < len(words):
        w = words[k]
        cand = w if not cur else cur + " " + w
        if text_width(cand, size) <= width:
            cur = cand
            k += 1
            continue
        prefix = cur + " " if cur else ""
        avail = width - text_width(prefix, size)
        if hyphenate and w.isalpha() and len(w) >= 9:
            i = _split_point(w, avail, size)
            if i:
                lines.append(prefix + w[:i] + "-")
                words[k] = w[i:]
                cur = ""
                hyphens += 1
                continue
        lines.append(cur)
        cur = ""
    if cur:
        lines.append(cur)
    return lines, hyphens


def layout(doc: dict) -> tuple[list[list[tuple[str, str]]], int]:
    """Return pages as lists of (font, line) items; font '' marks a blank line."""
    items: list[tuple[str, str]] = []
    hyphens = 0
    title_lines, _ = wrap(doc["title"], 16, TEXT_W, hyphenate=False)
    items += [("T", t) for t in title_lines] + [("A", doc["author"]), ("", "")]
    for kind, text in doc["blocks"]:
        if kind == "h":
            items += [("", ""), ("H", text)]
        else:
            ls, h = wrap(text, BODY_SIZE, TEXT_W)
            hyphens += h
            items += [("B", line) for line in ls] + [("", "")]
    per_page = int((TOP_Y - BOTTOM_Y) / BODY_LEAD) + 1
    pages, cur = [], []
    for it in items:
        if len(cur) >= per_page or (it[0] == "H" and len(cur) >= per_page - 3):
            pages.append(cur)
            cur = []
        if not cur and it[0] == "":
            continue  # no blank line at the top of a page
        cur.append(it)
    if cur:
        pages.append(cur)
    return pages, hyphens


def page_stream(doc: dict, items: list[tuple[str, str]], pno: int, npages: int) -> bytes:
    fonts = {
        "T": ("F2", 16),
        "A": ("F1", 10),
        "H": ("F2", HEAD_SIZE),
        "B": ("F1", BODY_SIZE),
        "": ("F1", BODY_SIZE),
    }
    out = []
    # running header (TJ with a tiny kern, exercises the TJ operator) and a rule
    hdr = doc["header"]
    cut = len(hdr) // 2
    out.append("BT /F1 8 Tf 72 756 Td [(%s) -10 (%s)] TJ ET" % (pdf_escape(hdr[:cut]), pdf_escape(hdr[cut:])))
    out.append("0.5 w 72 750 m 540 750 l S")
    out.append("BT /F1 %d Tf %d TL %d %d Td" % (BODY_SIZE, BODY_LEAD, MARGIN_L, TOP_Y))
    cur_font = None
    for n, (kind, line) in enumerate(items):
        font = fonts[kind]
        if font != cur_font:
            out.append("/%s %d Tf" % font)
            cur_font = font
        if n:
            out.append("T*")
        if line:
            out.append("(%s) Tj" % pdf_escape(line))
    out.append("ET")
    footer = "Page %d of %d" % (pno, npages)
    x = (PAGE_W - text_width(footer, 9)) / 2
    out.append("BT /F1 9 Tf %.2f 40 Td (%s) Tj ET" % (x, pdf_escape(footer)))
    return ("\n".join(out) + "\n").encode("latin-1")


def build_pdf(doc: dict) -> tuple[bytes, int, int]:
    for _, t in doc["blocks"]:
        assert t.isascii(), t
    pages, hyphens = layout(doc)
    n = len(pages)
    objs: list[bytes] = []  # objs[i] is object number i+1

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog = add(b"")  # placeholder, filled below
    pages_id = add(b"")
    f1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    f2 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    info = add(
        (
            "<< /Title (%s) /Author (%s) /Producer (curate make_sample.py) "
            "/CreationDate (D:20240501120000Z) >>" % (pdf_escape(doc["title"]), pdf_escape(doc["author"]))
        ).encode("latin-1")
    )
    kids = []
    for i, items in enumerate(pages, 1):
        data = page_stream(doc, items, i, n)
        cs = add(b"<< /Length %d >>\nstream\n" % len(data) + data + b"endstream")
        pg = add(
            (
                "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                "/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                % (pages_id, PAGE_W, PAGE_H, cs, f1, f2)
            ).encode()
        )
        kids.append(pg)
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objs[pages_id - 1] = (
        "<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join("%d 0 R" % k for k in kids), n)
    ).encode()

    buf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objs, 1):
        offsets.append(len(buf))
        buf += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(buf)
    buf += b"xref\n0 %d\n" % (len(objs) + 1)
    buf += b"0000000000 65535 f \n"
    for off in offsets:
        buf += b"%010d 00000 n \n" % off
    buf += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1,
        catalog,
        info,
        xref,
    )
    return bytes(buf), n, hyphens


# --------------------------------------------------------------------------
# Hostile inputs
# --------------------------------------------------------------------------

LATIN1_TEXT = (
    "A hardware wallet is only as safe as the habits of the person using it. The device keeps the private key "
    "away from your computer, but it cannot stop you from approving a transaction you did not read. Before you "
    "press \u201cconfirm\u201d, check the address on the device\u2019s own screen, not the one shown in your "
    "browser. Write the recovery phrase on paper or a metal plate and store it somewhere that survives a fire; "
    "never type it into a website, a \u201csupport\u201d chat or a cloud note. Our caf\u00e9 meetups for new users "
    "always end with the same advice: test the recovery process with a small amount before you trust the wallet "
    "with your savings. A r\u00e9sum\u00e9 of good practice fits on one page \u2013 update the firmware from the "
    "vendor\u2019s official tool, buy the device directly from the manufacturer, keep a second device as a "
    "backup, and tell one trusted person where the recovery phrase is kept. None of this is difficult, but "
    "skipping any step can undo the protection the device was bought for.\n"
)


def make_bad(bad: Path) -> None:
    bad.mkdir(parents=True, exist_ok=True)
    (bad / "empty.html").write_bytes(b"")

    rng = random.Random(20240501)
    blob = bytearray(rng.getrandbits(8) for _ in range(4096))
    for i in range(0, 4096, 97):  # make sure there are plenty of NUL bytes
        blob[i] = 0
    (bad / "binary.txt").write_bytes(bytes(blob))

    data = LATIN1_TEXT.encode("cp1252")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:  # pragma: no cover
        raise AssertionError("latin1.txt must not be valid UTF-8")
    (bad / "latin1.txt").write_bytes(data)

    rng = random.Random(7)
    garbage = bytes(rng.getrandbits(8) for _ in range(1500))
    broken = (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Length 4000 /Filter /FlateDecode >>\nstream\n" + garbage
    )  # no endstream, no xref, no EOF
    (bad / "broken.pdf").write_bytes(broken)


def main() -> None:
    pdf_dir = SAMPLE / "pdf"
    pdf_dir.mkdir(parents=True, exist_ok=True)
    for doc in WHITEPAPERS:
        data, npages, hyphens = build_pdf(doc)
        assert 2 <= npages <= 4, (doc["file"], npages)
        assert hyphens >= 1, doc["file"]
        (pdf_dir / doc["file"]).write_bytes(data)
        words = sum(len(t.split()) for _, t in doc["blocks"])
        print(
            "wrote %s: %d pages, %d words, %d hyphenated line breaks" % (doc["file"], npages, words, hyphens)
        )
    make_bad(SAMPLE / "bad")
    print("wrote data/sample/bad/{empty.html,binary.txt,latin1.txt,broken.pdf}")


if __name__ == "__main__":
    main()
