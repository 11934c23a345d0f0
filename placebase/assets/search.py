"""Free-text matching for the directory: words, stems, typo-tolerant matching and scores.

A listing's words are stored once, at write time, in `SearchToken` (with the weight of where
they appear: name above categories above description) and the vocabulary of all words in
`SearchWord`. A query word matches a stored word exactly, as a prefix, or within a small edit
distance (rapidfuzz), so "kniting" still finds "Knit and natter". Pure functions and one small
in-process cache; no database extension, so it behaves the same on SQLite and PostgreSQL.
"""

import bisect
import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

NAME_WEIGHT = 3
TERM_WEIGHT = 2
BODY_WEIGHT = 1
MAX_TOKEN = 40
MAX_QUERY_WORDS = 8

# fmt: off
STOPWORDS = frozenset({
    "a", "about", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in",
    "is", "it", "its", "of", "on", "or", "our", "that", "the", "their", "this", "to", "was", "we",
    "with", "you", "your", "all", "any", "can", "do", "more", "who", "will", "us",
})
# fmt: on
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, accents dropped, anything not a letter or digit turned into a space."""
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return _NON_WORD.sub(" ", folded.lower()).strip()


def stem(word: str) -> str:
    """A deliberately light English stemmer: enough to make "gardening" meet "gardens"."""
    for suffix in ("ings", "ing", "ers", "ies", "es", "ed", "er", "s"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            if suffix == "s" and word.endswith("ss"):
                return word
            if suffix == "ies":
                return word[:-3] + "y"
            word = word[: -len(suffix)]
            break
    # "knitt" (from "knitting") and "knit" should be one word.
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """The searchable words of a text, stemmed, in order, stop words left out."""
    return [
        stem(w)[:MAX_TOKEN] for w in normalise(text).split() if len(w) >= 2 and w not in STOPWORDS
    ]


def listing_tokens(
    *, name: str, description: str, terms: Iterable[str] = (), extra: Iterable[str] = ()
) -> dict[str, int]:
    """Every word of a listing with the highest weight it has anywhere in the listing."""
    weights: dict[str, int] = {}

    def add(text: str, weight: int) -> None:
        for word in words(text):
            if weights.get(word, 0) < weight:
                weights[word] = weight

    add(name, NAME_WEIGHT)
    for term in terms:
        add(term, TERM_WEIGHT)
    for text in extra:
        add(text, BODY_WEIGHT)
    add(description, BODY_WEIGHT)
    return weights


@dataclass(frozen=True)
class QueryWord:
    word: str
    matches: dict[str, float]  # stored word -> how closely it matches (0-1)


def _fuzzy_cutoff(word: str) -> float | None:
    if len(word) <= 3:
        return None  # too short for typos to be told from other words
    return 80.0 if len(word) <= 5 else 75.0


def match_query(query: str, vocabulary: "Vocabulary") -> list[QueryWord]:
    """Each query word with the stored words it may mean and how well each matches."""
    out: list[QueryWord] = []
    for word in dict.fromkeys(words(query)):
        if len(out) >= MAX_QUERY_WORDS:
            break
        matches: dict[str, float] = {word: 1.0}
        if len(word) >= 3:
            for token in vocabulary.with_prefix(word):
                matches.setdefault(token, 0.9)
        cutoff = _fuzzy_cutoff(word)
        if cutoff is not None:
            for token, score, _ in process.extract(
                word, vocabulary.words, scorer=fuzz.ratio, score_cutoff=cutoff, limit=12
            ):
                matches.setdefault(token, 0.8 * score / 100)
        out.append(QueryWord(word=word, matches=matches))
    return out


def score_listing(query_words: list[QueryWord], hits: dict[str, int]) -> float:
    """0-1: for each query word the best (closeness x weight) among the listing's words."""
    if not query_words:
        return 0.0
    total = 0.0
    for qw in query_words:
        best = 0.0
        for token, closeness in qw.matches.items():
            weight = hits.get(token)
            if weight:
                best = max(best, closeness * weight)
        total += best
    return total / (NAME_WEIGHT * len(query_words))


class Vocabulary:
    """All stored words, sorted, kept in memory for prefix and typo matching.

    Reloaded at most every `ttl` seconds (and at once after a write in this process); a word
    added by another process is still found exactly, just not by typo until the reload.
    """

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self.words: list[str] = []
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        self._loaded_at = 0.0

    def ensure_loaded(self) -> "Vocabulary":
        if time.monotonic() - self._loaded_at < self.ttl:
            return self
        with self._lock:
            from .models import SearchWord

            self.words = sorted(SearchWord.objects.values_list("token", flat=True))
            self._loaded_at = time.monotonic()
        return self

    def with_prefix(self, prefix: str, limit: int = 30) -> list[str]:
        start = bisect.bisect_left(self.words, prefix)
        out = []
        for token in self.words[start : start + limit]:
            if not token.startswith(prefix):
                break
            out.append(token)
        return out


VOCABULARY = Vocabulary()
