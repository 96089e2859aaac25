"""Reading a probability as people write it: 0.7, 70%, or odds of 7:3.

Pure: no database, no clock.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from tracker.errors import InvalidInput

_HOW = "write 0.7, 70% or 7:3"


def parse_probability(value: Any) -> float | None:
    """0.7, "0.7", "70%" or odds "7:3" (7 for, 3 against: 0.7); None for none. Anything
    outside [0, 1] is refused, not clamped."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidInput("probability must be a number between 0 and 1, or a percentage")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            number = math.inf
    elif isinstance(value, str):
        number = _from_text(value)
    else:
        raise InvalidInput("probability must be a number between 0 and 1, or a percentage")
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise InvalidInput(f"probability {_shortened(value)!r} is outside [0, 1]; {_HOW}")
    return number


@functools.lru_cache(maxsize=4096)  # an import's probabilities repeat: "0.7", "70%"
def _from_text(value: str) -> float:
    text = value.strip()
    odds = _ODDS.fullmatch(text)
    if odds is not None:
        ayes, noes = float(odds["for"]), float(odds["against"])
        if ayes + noes == 0:
            raise InvalidInput(f"probability {_shortened(value)!r}: odds of 0:0 say nothing")
        return ayes / (ayes + noes)
    # float() also reads "1_0" and Arabic-Indic digits, which nobody means as a probability.
    if not _DECIMAL.fullmatch(text):
        raise InvalidInput(f"probability {_shortened(value)!r} is not a number; {_HOW}")
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


# ASCII digits only; "nan" and "inf" are read so that they are refused as out of range.
_DECIMAL = re.compile(
    r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:%|e[+-]?[0-9]+)?|nan|inf(?:inity)?)",
    re.IGNORECASE,
)
_NUMBER = r"[0-9]{1,12}(?:\.[0-9]{1,12})?"
_ODDS = re.compile(rf"(?P<for>{_NUMBER})\s*:\s*(?P<against>{_NUMBER})")


def _shortened(value: Any) -> Any:
    """A value to quote in a message: a 400-digit number is not worth 400 characters."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"{str(value)[:20]}..."
    if isinstance(value, str) and len(value) > 40:
        return value[:40] + "..."
    return value
