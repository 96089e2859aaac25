"""Extract candidate predictions from article text.

Pure: no database, HTTP or clock; the publication date is a parameter and every deadline is
read relative to it. The package, in the order a sentence goes through it:

- sentences: split the text into sentences, leaving out headings and bylines;
- phrases, mentions, calendar: find time expressions and read them as due windows;
- cues, tense: decide whether the sentence looks ahead, and how sure it sounds (ICD 203);
- claims: who makes the forecast, and the forecast as a plain statement;
- candidates: put them together.
"""

from tracker.extract.candidates import Candidate, extract_candidates, find_deadline
from tracker.extract.cues import Estimate, estimate, find_cues
from tracker.extract.mentions import Mention, read_deadline
from tracker.extract.sentences import headline, split_sentences

__all__ = [
    "Candidate",
    "Estimate",
    "Mention",
    "estimate",
    "extract_candidates",
    "find_cues",
    "find_deadline",
    "headline",
    "read_deadline",
    "split_sentences",
]
