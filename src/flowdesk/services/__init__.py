"""Actions that change state (`do_*`-style): load, run the engine, persist in one transaction,
then publish events. API handlers parse and authorise, then call these; nothing else writes."""

from enum import Enum
from typing import Literal


class _Keep(Enum):
    KEEP = "keep"


#: "Leave as it is" for update fields where `None` is itself a value (clear it, or unlimited).
KEEP = _Keep.KEEP
Keep = Literal[_Keep.KEEP]
