"""Line rules of the `article` step, on the extracted text (after the DOM rules of `precision`).

`clean_lines(text, title)` removes, from the extracted text, the headline repeated at the start,
short lines repeated on the page ("Show image" x 3), photo-credit lines (short lines starting
"Photo:", "Foto:", "Bild:", "Source:", ... or holding a "©"), and short lines with a call to
action or a link-list label ("Subscribe", "Read more:", "Lesen Sie auch", "Lea también", "All
rights reserved", ...), furniture labels ("3 Comments", "Related posts", "Tags") and metadata
lines ("12.03.2024 | News | 3 min").
All are generic: phrases and labels are the common wording of page furniture in the languages
with the largest shares of the web, no rule names a site.
"""

from __future__ import annotations

import re

_CREDIT = re.compile(
    r"^(?:photo|photos|foto|fotos|bild|bilder|image|images|picture|credit|credits|crédits?|quelle|"
    r"source|fuente|titelbild|copyright|©|\(c\))\b[^\n]{0,12}?[:©]",
    re.I,
)
_CREDIT_INLINE = re.compile(r"©|\b(?:foto|photo|bild|quelle|source)\s?:", re.I)
# calls to action and link-list labels in the languages of the web's largest shares; a short
# line holding one is a subscription box, a share bar, a "read also" link or a copyright notice
_PHRASES = re.compile(
    r"\b(?:subscrib\w*|newsletter\w*|abonnieren|suscr[ií]b\w*|sign(?:ing)? up|eingeloggt|"
    r"all rights reserved|alle rechte vorbehalten|todos los derechos reservados|tous droits réservés|"
    r"read more|read also|lesen sie (?:auch|mehr)|weiterlesen|mehr zum thema|mehr themen|weitere themen|"
    r"lea (?:también|más)|lee también|vea también|czytaj (?:też|także|więcej)|zobacz (?:też|także)|"
    r"à lire aussi|lire aussi|leggi anche|follow us|folgen sie uns|síguenos|share this|teilen mit|"
    r"advertisement)\b",
    re.I,
)
# a short line that is only a section label of the page furniture ("3 Comments", "Related posts")
_LABELS = re.compile(
    r"^(?:\d+\s+)?(?:comments?|kommentare?|comentarios?|commentaires?|komentarze?|leave a (?:reply|comment)|"
    r"kommentar (?:verfassen|schreiben)|related(?: posts| articles| stories)?|ähnliche artikel|"
    r"das könnte sie auch interessieren|noticias relacionadas|notas relacionadas|contenido relacionado|"
    r"top stories|most read|meistgelesen|most popular|trending|tags?|schlagworte|schlagwörter|"
    r"kategorien?|categor(?:y|ies)|posted in|filed under|share(?: on| this)?|teilen|drucken|print|e-?mail)\b",
    re.I,
)
# a metadata line: a date among fields separated by " | " ("24. März 2004, 19:49 | Genesis")
_DATE = re.compile(
    r"\b(?:\d{1,2}[./]\s?\d{1,2}[./]\s?\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.?\s+(?:jan|feb|mär|mar|apr|mai|may|"
    r"jun|jul|aug|sep|okt|oct|nov|dez|dec)\w*\.?\s+\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?"
    r"\s+\d{1,2},?\s+\d{4})",
    re.I,
)
_FIELD_SEPARATOR = re.compile(r"\s[|·•]\s")
_SPACE = re.compile(r"\s+")


def _norm(line: str) -> str:
    return _SPACE.sub(" ", line).strip()


def clean_lines(text: str, title: str = "", repeat_max_words: int = 5, phrases: bool = True) -> str:
    """The extracted text without a repeated headline, repeated short lines, credit lines and
    (`phrases`) short lines (<= 25 words) holding a call to action ("Subscribe", "Read more:",
    "Lesen Sie auch", "Lea también", "All rights reserved", ...), section labels of the page
    furniture ("3 Comments", "Related posts", "Tags", "Share"; <= 8 words) and metadata lines (a
    date among " | "-separated fields; <= 12 words)."""
    lines = [line for line in text.split("\n") if line.strip()]
    head = _norm(title).lower()
    while len(lines) > 1 and head and _norm(lines[0]).lower() == head == _norm(lines[1]).lower():
        lines = lines[1:]  # the headline once, not twice
    counts: dict[str, int] = {}
    for line in lines:
        key = _norm(line).lower()
        counts[key] = counts.get(key, 0) + 1
    kept = []
    for line in lines:
        key = _norm(line).lower()
        words = len(key.split())
        if counts[key] > 1 and words <= repeat_max_words:
            continue
        if words <= 25 and (_CREDIT.match(key) or _CREDIT_INLINE.search(key)):
            continue
        if phrases and furniture(key):
            continue
        kept.append(line)
    return "\n".join(kept)


def furniture(key: str) -> str:
    """Which furniture rule a (lower-cased, normalised) line meets: 'phrase' (<= 25 words),
    'label' (<= 8 words), 'date' (<= 12 words), or ''."""
    words = len(key.split())
    if words <= 25 and _PHRASES.search(key):
        return "phrase"
    if words <= 8 and _LABELS.search(key):
        return "label"
    if words <= 12 and _DATE.search(key) and _FIELD_SEPARATOR.search(key):
        return "date"
    return ""
