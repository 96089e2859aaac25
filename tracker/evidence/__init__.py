"""Evidence from the news: which sentences of an article report how open questions ended.

Pure: no database, HTTP or clock; the publication day is a parameter. In the order an article
goes through it: words (a sentence's words in order, folded like claims), dates (the day a
report says its event happened, read back from publication), moods (how a sentence holds the
event: reported, planned, negated; a partial step), judge (one sentence against one
claim: same event, reported not planned, whole not partial, in the window), scan (the index of
open questions by their words, and the article's best finding per question).
"""

from tracker.evidence.scan import (
    AUTO_RESOLVE_THRESHOLD,
    SHOW_THRESHOLD,
    Evidence,
    OpenQuestion,
    QuestionIndex,
    scan,
)

__all__ = [
    "AUTO_RESOLVE_THRESHOLD",
    "SHOW_THRESHOLD",
    "Evidence",
    "OpenQuestion",
    "QuestionIndex",
    "scan",
]
