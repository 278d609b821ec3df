"""FAQ retrieval for the chatbot: BM25 over each enabled entry's questions, for any language.

An index is built once per knowledge base *revision* (the base bumps its revision on
every change to it or its entries) and kept in `IndexCache` on the Runtime, so a
customer message never rebuilds anything. The chatbot module reads an index through
`RunEnv.resources["knowledge_base"]` and only calls the synchronous `search`.

Scoring: BM25 (bm25s) ranks the questions; each entry scores as its best question.
BM25 scores have no fixed scale, so the decision to answer uses a *confidence* in
[0, 1]: the share of the query's IDF weight that the best question covers (a query
word the base has never seen weighs as much as the rarest word it has). An answer
needs `ANSWER_CONFIDENCE`; when the runner-up entries come close (`CLOSE_RATIO` of
the best BM25 score) or the best is only fairly confident (`SUGGEST_CONFIDENCE`),
up to three entries are offered as "did you mean". Thresholds were tuned on the
bilingual set in `tests/unit/test_retrieval.py` (see docs/decisions.md).
"""

from __future__ import annotations

import itertools
import math
import re
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import bm25s  # type: ignore[import-untyped]
import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from flowdesk.storage.models import KnowledgeBase, KnowledgeEntry

ANSWER_CONFIDENCE = 0.2
SUGGEST_CONFIDENCE = 0.15
CLOSE_RATIO = 0.85
UNSEEN_WEIGHT = 1.0
MAX_SUGGESTIONS = 3
INDEX_CACHE_SIZE = 64
#: How long a base's revision, once read, is trusted without asking the database again. A
#: change made through this node is seen at once (`IndexCache.forget`); one made through
#: another node reaches this node's chatbot within this many seconds.
REVISION_CHECK_SECONDS = 1.0

# Scripts written without spaces: each run becomes character unigrams and bigrams.
_CJK = (
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uac00-\ud7af"  # Hangul syllables
)
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")
# Function words that carry no topic: kept out so "how do I …" matches nothing by itself.
_STOPWORD_TEXT = """
a an the and or but if of to in on at by for with from about as into is are was were be
been being am do does did doing have has had having i me my we our you your he she it its
they them their this that these those what which who whom how when where why can could
would should will shall may might must there here please hi hello hey thanks thank any some
so not no just get got want need let know tell im ive id dont cant
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Chinese function words, cut out of a run before it is split into n-grams so that
# "什么时候" (when) or "怎么" (how) neither match every question nor dilute confidence.
_CJK_STOP = re.compile(
    "什么|怎么样|怎么|怎样|哪里|哪儿|哪些|时候|为什么|可以|能不能|请问|一下|我们|你们|我的|你的"
    "|[吗呢吧啊呀了的我你]"
)
_CJK_CHAR = re.compile(rf"^[{_CJK}]$")


def _stem(word: str) -> str:
    """A light English suffix strip: "refunds"/"refund", "shipping"/"ship", "payment"/"pay"."""
    rules = (
        ("ship", ""),
        ("ment", ""),
        ("ies", "y"),
        ("ery", "er"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    )
    for suffix, keep in rules:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + keep
            if suffix in ("ing", "ed") and len(stem) > 3 and stem[-1] == stem[-2]:
                stem = stem[:-1]  # shipping → shipp → ship
            return stem
    return word


def tokenize(text: str) -> list[str]:
    """Search tokens of `text`: Latin words lowercased and stemmed, CJK runs as 1- and 2-grams."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    normal = normal.replace("'", "").replace("\u2019", "")
    tokens: list[str] = []
    for run in _TOKEN.findall(normal):
        if _CJK_RUN.match(run):
            for piece in _CJK_STOP.split(run) if len(run) > 1 else [run]:
                tokens.extend(piece)
                tokens.extend(a + b for a, b in itertools.pairwise(piece))
        elif run not in _STOPWORDS:
            tokens.append(_stem(run))
    return tokens


def is_cjk_unigram(token: str) -> bool:
    """Single CJK characters help recall but say little about meaning; confidence skips them."""
    return bool(_CJK_CHAR.match(token))


@dataclass(frozen=True)
class Entry:
    """One enabled knowledge-base entry as retrieval sees it."""

    id: str
    question: str
    answer: str
    similar_questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    confidence: float


@dataclass(frozen=True)
class SearchResult:
    """The best entry when confident enough, else close candidates to offer, else nothing."""

    answer: Hit | None
    suggestions: list[Hit] = field(default_factory=list)
    ranked: list[Hit] = field(default_factory=list)


class KnowledgeIndex:
    """A BM25 index over one knowledge base revision. Immutable once built; cheap to search."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self._doc_entry: list[str] = []
        self._doc_tokens: list[set[str]] = []
        corpus: list[list[str]] = []
        for entry in entries:
            for text in (entry.question, *entry.similar_questions):
                tokens = tokenize(text)
                if tokens:
                    corpus.append(tokens)
                    self._doc_entry.append(entry.id)
                    self._doc_tokens.append(set(tokens))
        self._bm25: Any = None
        self._idf: dict[str, float] = {}
        if corpus:
            self._bm25 = bm25s.BM25()
            self._bm25.index(corpus, show_progress=False)
            total = len(corpus)
            frequency: dict[str, int] = {}
            for doc_tokens in self._doc_tokens:
                for token in doc_tokens:
                    frequency[token] = frequency.get(token, 0) + 1
            self._idf = {
                t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()
            }
            # A word the base has never seen counts like an average one: paraphrases bring
            # new words ("remember", "new"), and weighing them as the rarest would sink them.
            self._unseen_idf = UNSEEN_WEIGHT * sum(self._idf.values()) / len(self._idf)

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def _confidence(self, query: list[str], doc: set[str]) -> float:
        meaningful = {t for t in query if not is_cjk_unigram(t)} or set(query)
        weights = {t: self._idf.get(t, self._unseen_idf) for t in meaningful}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in doc) / total if total else 0.0

    def rank(self, text: str, limit: int = 5) -> list[Hit]:
        """The best entries for `text`, best first, each scored by its best question."""
        query = tokenize(text)
        if self._bm25 is None or not query:
            return []
        known = [t for t in query if t in self._idf]
        if not known:
            return []
        scores = np.asarray(self._bm25.get_scores(known))
        best: dict[str, tuple[float, float]] = {}
        for doc in np.argsort(-scores)[: max(limit * 4, 20)]:
            score = float(scores[doc])
            if score <= 0:
                break
            entry_id = self._doc_entry[int(doc)]
            confidence = self._confidence(query, self._doc_tokens[int(doc)])
            previous = best.get(entry_id)
            if previous is None or (score, confidence) > previous:
                best[entry_id] = (score, confidence)
        hits = [Hit(self.entries[e], s, c) for e, (s, c) in best.items()]
        hits.sort(key=lambda h: (-h.score, -h.confidence))
        return hits[:limit]

    def search(self, text: str) -> SearchResult:
        """Answer, suggestions ("did you mean") or nothing, for one customer message."""
        ranked = self.rank(text)
        if not ranked:
            return SearchResult(None)
        top = ranked[0]
        close = [
            h
            for h in ranked[1:]
            if h.score >= CLOSE_RATIO * top.score and h.confidence >= SUGGEST_CONFIDENCE
        ]
        if top.confidence >= ANSWER_CONFIDENCE and not close:
            return SearchResult(top, ranked=ranked)
        if top.confidence >= SUGGEST_CONFIDENCE:
            return SearchResult(None, [top, *close][:MAX_SUGGESTIONS], ranked=ranked)
        return SearchResult(None, ranked=ranked)


class IndexCache:
    """Built indexes by (knowledge base id, revision), LRU-bounded; a new revision replaces."""

    def __init__(self, size: int = INDEX_CACHE_SIZE) -> None:
        self._size = size
        self._items: OrderedDict[str, tuple[int, KnowledgeIndex]] = OrderedDict()
        #: base id → when (monotonic) its revision was last read from the database.
        self._checked: dict[str, float] = {}
        self.builds = 0

    def recent(self, base_ids: Sequence[str]) -> dict[str, KnowledgeIndex] | None:
        """The indexes of `base_ids` if every one's revision was read within
        `REVISION_CHECK_SECONDS`, else None (ask the database)."""
        horizon = time.monotonic() - REVISION_CHECK_SECONDS
        found: dict[str, KnowledgeIndex] = {}
        for base_id in base_ids:
            item = self._items.get(base_id)
            if item is None or self._checked.get(base_id, -math.inf) < horizon:
                return None
            found[base_id] = item[1]
        return found

    def checked(self, base_ids: Iterable[str]) -> None:
        now = time.monotonic()
        for base_id in base_ids:
            self._checked[base_id] = now

    def forget(self, base_id: str) -> None:
        """The base changed (or went) through this node: read its revision next time."""
        self._items.pop(base_id, None)
        self._checked.pop(base_id, None)

    def get(self, base_id: str, revision: int) -> KnowledgeIndex | None:
        item = self._items.get(base_id)
        if item is None or item[0] != revision:
            return None
        self._items.move_to_end(base_id)
        return item[1]

    def put(self, base_id: str, revision: int, entries: Iterable[Entry]) -> KnowledgeIndex:
        index = KnowledgeIndex(list(entries))
        self.builds += 1
        self._items[base_id] = (revision, index)
        self._items.move_to_end(base_id)
        if len(self._items) > self._size:
            dropped, _ = self._items.popitem(last=False)
            self._checked.pop(dropped, None)
        return index


async def load_indexes(
    session: AsyncSession, cache: IndexCache, base_ids: Iterable[str]
) -> dict[str, KnowledgeIndex]:
    """Indexes of the bases that exist (a deleted base is simply absent); builds only on change."""
    ids = sorted(set(base_ids))
    if not ids:
        return {}
    recent = cache.recent(ids)
    if recent is not None:
        return recent
    rows = (
        await session.execute(
            select(KnowledgeBase.id, KnowledgeBase.revision).where(KnowledgeBase.id.in_(ids))
        )
    ).all()
    cache.checked(base_id for base_id, _ in rows)
    result: dict[str, KnowledgeIndex] = {}
    stale: dict[str, int] = {}
    for base_id, revision in rows:
        index = cache.get(base_id, revision)
        if index is None:
            stale[base_id] = revision
        else:
            result[base_id] = index
    if stale:
        entries = await session.scalars(
            select(KnowledgeEntry)
            .where(KnowledgeEntry.knowledge_base_id.in_(stale), KnowledgeEntry.enabled.is_(True))
            .order_by(KnowledgeEntry.knowledge_base_id, KnowledgeEntry.position, KnowledgeEntry.id)
        )
        by_base: dict[str, list[Entry]] = {base_id: [] for base_id in stale}
        for row in entries:
            by_base[row.knowledge_base_id].append(
                Entry(
                    row.id,
                    row.question,
                    row.answer,
                    tuple(str(q) for q in row.similar_questions or ()),
                )
            )
        for base_id, revision in stale.items():
            result[base_id] = cache.put(base_id, revision, by_base[base_id])
    return result
