"""Organisation names compared as people read them: case, punctuation and legal form aside.

"ACME LIMITED", "Acme Ltd." and "acme ltd" are one name to a reader; a comparison of names
(parties that share an identifier, candidate matches for a party without one) compares their
``key``. Legal forms are UK company law's designations and their usual abbreviations (the
Companies Act 2006, sections 58 to 60, and the Welsh forms), plus the forms most common in
other countries' data. Pure functions.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

__all__ = ["Candidate", "candidates", "key"]

# Scores (0 to 100) from which a name is offered as a candidate. Below 90, token-sorted names
# match too many unrelated bodies that share words ("council", "services").
CANDIDATE_SCORE = 90

# Each group: spellings of one legal form, the longest first so that "public limited company"
# is taken whole and not as "company".
_LEGAL_FORMS = [
    ["public limited company", "cwmni cyfyngedig cyhoeddus", "plc", "ccc"],
    ["limited liability partnership", "partneriaeth atebolrwydd cyfyngedig", "llp", "pac"],
    ["community interest company", "cwmni buddiant cymunedol", "cic", "cbc"],
    ["charitable incorporated organisation", "sefydliad corfforedig elusennol", "cio", "sce"],
    ["limited partnership", "lp"],
    ["limited", "cyfyngedig", "ltd", "cyf"],
    ["unlimited", "anghyfyngedig"],
    ["incorporated", "inc", "corporation", "corp"],
    ["company", "co"],
    ["gmbh", "ag", "sa", "sas", "sarl", "bv", "nv", "srl", "spa", "oy", "ab", "as", "pty"],
]
_FORMS = sorted({form for group in _LEGAL_FORMS for form in group}, key=len, reverse=True)
_TRAILING_FORMS = re.compile(r"(?:\s+(?:" + "|".join(map(re.escape, _FORMS)) + r"))+$")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def key(name: str) -> str:
    """The name reduced to what tells organisations apart: lower case, accents, punctuation,
    "&" and "and", a leading "the" and trailing legal forms gone; "" for a name of none of it."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = text.replace("&", " and ")
    text = _NOT_WORD.sub(" ", text).strip()
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"\band\b", " ", text)
    text = " ".join(text.split())
    shorter = _TRAILING_FORMS.sub("", " " + text).strip()
    return shorter or text


@dataclass(frozen=True, slots=True)
class Candidate:
    key: str  # the candidate's name key
    score: float  # 0 to 100: how alike the two name keys are


def candidates(name_key: str, known: Sequence[str], limit: int = 3) -> list[Candidate]:
    """The names among ``known`` (name keys) most like ``name_key``, best first, scored by
    rapidfuzz's token sort ratio (word order aside: "Smith John" is "John Smith"). Offered to
    a person, never merged: two bodies can share a name, and one can be written two ways."""
    if not name_key:
        return []
    found = process.extract(
        name_key, known, scorer=fuzz.token_sort_ratio, score_cutoff=CANDIDATE_SCORE, limit=limit
    )
    return [Candidate(match, round(score, 1)) for match, score, _ in found]
