"""Knowledge entries at the edge: their limits, their shape, and the CSV form admins trade.

The same `EntryFields` model checks an entry whether it arrives as JSON from the
console or as a CSV row, so a row that the API would refuse is refused by an import
too, naming its row number.

CSV: a header row with `question,answer` and optionally `similar_questions` and
`enabled` (any order, case-insensitive); UTF-8 with or without a byte-order mark
(Excel writes one). Similar questions are separated by newlines or `|` inside their
cell. `enabled` accepts true/false, yes/no, 1/0, y/n (empty = true).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from flowdesk.errors import Invalid

MAX_ENTRIES_PER_BASE = 5000
MAX_QUESTION = 500
MAX_ANSWER = 5000
MAX_SIMILAR = 50
MAX_CSV_BYTES = 5 * 1024 * 1024

CSV_COLUMNS = ("question", "similar_questions", "answer", "enabled")
#: Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIMILAR_SPLIT = re.compile(r"[|\n\r]+")
_TRUE = {"", "true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}

Question = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUESTION)
]
Answer = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ANSWER)
]


class EntryFields(BaseModel):
    """One Q&A entry: a question, its other phrasings, the answer, whether the bot uses it."""

    model_config = ConfigDict(extra="forbid")
    question: Question
    similar_questions: list[Question] = Field(default_factory=list, max_length=MAX_SIMILAR)
    answer: Answer
    enabled: bool = True


def clean_similar(questions: Iterable[str]) -> list[str]:
    """Stripped, without blanks, duplicates kept out (first spelling wins, case-insensitive)."""
    seen: set[str] = set()
    result: list[str] = []
    for question in questions:
        text = question.strip()
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            result.append(text)
    return result


def _row_error(row: int, message: str) -> Invalid:
    return Invalid(
        f"row {row}: {message}; nothing was imported",
        code="invalid_csv",
        details={"row": row, "message": message},
    )


def _enabled(value: str, row: int) -> bool:
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _row_error(row, f"enabled must be true or false, not {value.strip()!r}")


def parse_csv(data: bytes) -> list[EntryFields]:
    """Every row as an entry, or a 422 naming the first bad row (row 1 is the header)."""
    if len(data) > MAX_CSV_BYTES:
        raise Invalid(f"the CSV file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            "the CSV file is not UTF-8 text (in Excel: Save As → CSV UTF-8)", code="invalid_csv"
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise _row_error(1, "the file is empty; the first row must name the columns") from None
    except csv.Error as exc:
        raise _row_error(1, f"unreadable CSV ({exc})") from None
    columns = [name.strip().lower() for name in header]
    unknown = [name for name in columns if name and name not in CSV_COLUMNS]
    missing = [name for name in ("question", "answer") if name not in columns]
    if unknown or missing or len(set(columns)) != len(columns):
        raise _row_error(
            1,
            "the header must name the columns question, answer and optionally "
            f"similar_questions, enabled (got {', '.join(header) or 'nothing'})",
        )
    entries: list[EntryFields] = []
    row_number = 1
    try:
        for row_number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (Excel leaves some at the end)
            if len(cells) > len(columns):
                raise _row_error(row_number, f"{len(cells)} cells, the header has {len(columns)}")
            values = dict(zip(columns, [*cells, *[""] * (len(columns) - len(cells))], strict=True))
            if len(entries) >= MAX_ENTRIES_PER_BASE:
                raise _row_error(row_number, f"more than {MAX_ENTRIES_PER_BASE} entries")
            entries.append(_entry(values, row_number))
    except csv.Error as exc:
        raise _row_error(row_number + 1, f"unreadable CSV ({exc})") from None
    return entries


def _entry(values: dict[str, str], row: int) -> EntryFields:
    similar = clean_similar(
        _uncell(q) for q in _SIMILAR_SPLIT.split(values.get("similar_questions", ""))
    )
    try:
        return EntryFields(
            question=_uncell(values["question"]),
            similar_questions=similar,
            answer=_uncell(values["answer"]),
            enabled=_enabled(values.get("enabled", ""), row),
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise _row_error(row, f"{where}: {_plain(first['msg'])}") from None


def _plain(message: str) -> str:
    return message.replace("String should have at least 1 character", "must not be empty")


def _cell(text: str) -> str:
    # A leading apostrophe makes spreadsheets show the text instead of running it.
    return "'" + text if text.startswith(FORMULA_START) else text


def _uncell(text: str) -> str:
    # Undo `_cell`, so an export imports back exactly.
    stripped = text.strip()
    if stripped.startswith("'") and stripped[1:].startswith(FORMULA_START):
        return stripped[1:]
    return text


def to_csv(entries: Sequence[EntryFields]) -> bytes:
    """The entries as CSV, UTF-8 with a byte-order mark so Excel reads Chinese text correctly.

    Cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) get a leading
    apostrophe, which an import takes off again (so a file round-trips exactly).
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(
            [
                _cell(entry.question),
                "\n".join(_cell(q) for q in entry.similar_questions),
                _cell(entry.answer),
                "true" if entry.enabled else "false",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
