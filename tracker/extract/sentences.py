"""Split article text into sentences, leaving out headings and bylines.

Rules, not a model: a sentence ends at . ! ? or … (closing quotes and brackets included) before
whitespace and a capital letter, digit or opening quote, unless the word before the full stop is
an abbreviation ("Feb.", "Dr.", "U.S.", an initial). Decimals never split, since a sentence
break needs whitespace after the mark.
"""

from __future__ import annotations

import re
import string

# Words that end in a full stop without ending the sentence. Titles always precede a name;
# the others can also end a sentence, which _STARTERS below decides.
_TITLES = frozenset(
    [
        "mr", "mrs", "ms", "mx", "dr", "prof", "sen", "rep", "gov", "gen", "lt", "col", "maj",
        "capt", "cpt", "sgt", "cmdr", "adm", "st", "rev", "hon", "pres", "supt", "insp", "det",
        "amb", "fr", "sr", "jr", "messrs"
    ]
)  # fmt: skip
_ABBREVIATIONS = frozenset(
    [
        "inc", "ltd", "co", "corp", "plc", "llc", "bros", "vs", "etc", "e.g", "i.e", "al", "approx",
        "dept", "est", "ft", "mt", "ave", "blvd", "rd", "jan", "feb", "mar", "apr", "jun", "jul",
        "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu", "thur",
        "thurs", "fri", "sat", "sun", "a.m", "p.m", "u.s", "u.k", "u.n", "e.u", "u.s.a", "ph.d",
        "b.a", "m.a", "cf"
    ]
)  # fmt: skip
_BEFORE_NUMBERS = frozenset(
    [
        "no", "nos", "fig", "figs", "vol", "p", "pp", "art", "sec", "ch"
    ]
)  # fmt: skip  # "No. 10", "p. 4"
# After an abbreviation, these words start a new sentence ("... sanctions on the U.S. The move").
_STARTERS = frozenset(
    [
        "the", "a", "an", "it", "he", "she", "they", "we", "i", "this", "that", "these", "those",
        "but", "and", "however", "meanwhile", "in", "on", "at", "after", "before", "if", "when",
        "while", "as", "there", "his", "her", "their", "its", "our"
    ]
)  # fmt: skip
_BOUNDARY = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")
# A wire dateline opens the first paragraph: "KYIV, Dec 24 (Reuters) - ", "LONDON (AP) -- ".
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'\- ]{1,30}(?:,\s*[A-Z][A-Za-z.'\- ]{1,30})*(?:,\s*[A-Z][a-z]{2,8}\.?\s+[0-9]{1,2}"
    r"(?:,\s*[0-9]{4})?)?\s*(?:\([A-Za-z .&-]{2,30}\)\s*)?(?:-{1,2}|\u2013|\u2014)\s+"
)
# Control characters that are not white space (which split() and splitlines() read as
# such): an ESC sequence or a bidi override pasted with an article is dropped, so that no
# quote or claim carries it into the store or onto a terminal.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")
_TERMINAL = re.compile(r"[.!?\u2026:][\"'\u201d\u2019)\]]*\s*$")


def split_sentences(text: str) -> list[str]:
    """The sentences of an article, in order, with whitespace normalised."""
    sentences: list[str] = []
    for paragraph in paragraphs(text):
        sentences.extend(_split_paragraph(paragraph))
    return sentences


def paragraphs(text: str) -> list[str]:
    """Paragraphs without headings. When the text has several paragraphs, one with no closing
    punctuation is a heading, caption or byline, not prose: "ISW: Moscow plans full military
    pullout from Syria by February 2025", "By Tamilla Hasanova". A text of one paragraph is
    prose whatever its punctuation."""
    blocks = _blocks(text)
    if len(blocks) > 1 and not all(_is_heading(block) for block in blocks):
        return [block for block in blocks if not _is_heading(block)]
    return blocks


def headline(text: str) -> str | None:
    """The article's first paragraph when it is a heading."""
    blocks = _blocks(text)
    if len(blocks) > 1 and _is_heading(blocks[0]) and not all(map(_is_heading, blocks)):
        return blocks[0]
    return None


def _blocks(text: str) -> list[str]:
    text = _CONTROL.sub("", text)
    # Blank lines separate paragraphs when the text has any (then hard-wrapped lines are
    # joined); otherwise each line is one.
    separated = re.search(r"\n\s*\n", text) is not None
    blocks = re.split(r"\n\s*\n", text) if separated else text.splitlines()
    return [joined for block in blocks if (joined := " ".join(block.split()))]


def _is_heading(paragraph: str) -> bool:
    return not _TERMINAL.search(paragraph)


def _split_paragraph(paragraph: str) -> list[str]:
    paragraph = _DATELINE.sub("", paragraph)
    sentences, start = [], 0
    for boundary in _BOUNDARY.finditer(paragraph):
        mark, end = boundary.start(), boundary.end()
        # Only a few characters either side decide: handing the helper the whole paragraph
        # made every boundary scan all the text before it, quadratic in the sentences.
        before = paragraph[max(0, mark - _WINDOW - 1) : mark]
        if _is_abbreviation(before, paragraph[mark:end], paragraph[end : end + _WINDOW]):
            continue
        sentences.append(paragraph[start:end].strip())
        start = end
    sentences.append(paragraph[start:].strip())
    return [sentence for sentence in sentences if sentence]


# Longer than any abbreviation or run of initials: a longer word ends no abbreviation.
_WINDOW = 40
_WORD_CHARS = string.ascii_letters + "."
_WORD_AFTER = re.compile(r"\s+[\"'\u201c\u2018(\[]?([A-Za-z0-9]+)")


def _is_abbreviation(before: str, marks: str, after: str) -> bool:
    """Whether the full stop `marks` (and what closes it) between `before` and `after` ends
    an abbreviation rather than the sentence. `before` holds at most _WINDOW + 1 characters,
    `after` at most _WINDOW."""
    if marks[0] != "." or marks[1:2] == ".":
        return False  # "!", "?", or an ellipsis
    run = before[len(before.rstrip(_WORD_CHARS)) :]  # "U.S", "Feb", "al"
    token = run.lstrip(".").lower()
    if not token or len(run) > _WINDOW:
        return False  # no word, or one too long to be an abbreviation
    following = _WORD_AFTER.match(after)
    next_word = following.group(1).lower() if following else ""
    if token in _TITLES:
        return True
    if token in _BEFORE_NUMBERS:
        return next_word[:1].isdigit()
    is_initial = len(token) == 1 or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token) is not None
    if token in _ABBREVIATIONS or is_initial:
        return next_word not in _STARTERS
    return False
