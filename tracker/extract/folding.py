"""Case-blind scans that run as fast as case-sensitive ones.

A pattern compiled with IGNORECASE scans about twice as slowly as the same pattern run on
lower-cased text without it, and the extractor scans every sentence with dozens of patterns.
Lower-casing is only a stand-in for IGNORECASE where it keeps every character where it was
and makes the same letters equal, so `lowered` says when it does, and `CaseBlind` falls back
to the IGNORECASE pattern when it does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# IGNORECASE equates the dotless i and the long s with "i" and "s"; lower() leaves them be.
_IGNORECASE_ONLY = ("\u0131", "\u017f")
_ESCAPES_AND_NAMES = re.compile(r"\\.|\(\?P<\w+>|\(\?P=\w+\)")


def lowered(text: str) -> str | None:
    """`text` in lower case, where a lower-case pattern then matches exactly where its
    IGNORECASE twin matches in `text`; None where lower case cannot promise that ("İ" becomes
    two characters)."""
    low = text.lower()
    if len(low) != len(text) or any(c in text for c in _IGNORECASE_ONLY):
        return None
    return low


@dataclass(frozen=True)
class CaseBlind:
    """A pattern matched regardless of case: on the lowered text when there is one."""

    exact: re.Pattern[str]  # compiled with IGNORECASE
    lower: re.Pattern[str] | None  # the same, without it, for lower-cased text

    @classmethod
    def compile(cls, pattern: str) -> CaseBlind:
        if any(c.isupper() for c in _ESCAPES_AND_NAMES.sub("", pattern)):
            raise ValueError(f"a case-blind pattern is written in lower case: {pattern!r}")
        # A part that minds case ("(?-i:may)", the verb and not the month) needs the text as
        # written.
        minds_case = "(?-i" in pattern
        return cls(re.compile(pattern, re.IGNORECASE), None if minds_case else re.compile(pattern))

    def finditer(self, text: str, low: str | None) -> Iterator[re.Match[str]]:
        """Matches of the pattern in `text`, `low` being `lowered(text)`. Their groups are of
        the lowered text, when there is one; spans are the same in both."""
        if low is None or self.lower is None:
            return self.exact.finditer(text)
        return self.lower.finditer(low)

    def match(self, text: str, low: str | None, pos: int = 0) -> re.Match[str] | None:
        """A match at `pos`, as `finditer` gives them."""
        if low is None or self.lower is None:
            return self.exact.match(text, pos)
        return self.lower.match(low, pos)

    def as_written(self, text: str, scanned: re.Match[str]) -> re.Match[str]:
        """The match `finditer` gave, with its groups read from `text` itself."""
        if scanned.string is text:
            return scanned
        match = self.exact.match(text, scanned.start())
        if match is None or match.end() != scanned.end():  # lowered() promised otherwise
            raise AssertionError(f"{self.exact.pattern!r} matched lower case only")
        return match
