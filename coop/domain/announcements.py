"""What a coordinator's announcement may say: plain text, as members' email shows it.

An announcement goes out as a plain-text email and is shown as text on the
co-op's page, so what is typed is what members read, character for
character. HTML would arrive as its tags, so a body or subject holding
markup (``<p>``, ``<br>``, ``<div>``, ``</b>``, ``<!-- -->``, a doctype:
the tags of HTML's own elements) is refused with a message saying why.
Angle brackets in ordinary writing ("<3", "a < b", "<name@example.org>",
"<your name here>") are text and stay as typed: only a tag HTML defines
counts as markup, so a copy from a web page or a word processor is caught
without second-guessing what people write.

Both parts are trimmed; the subject is one line (it becomes the email's
subject) of at most `ANNOUNCEMENT_SUBJECT_MAX` characters and the body at
most `ANNOUNCEMENT_BODY_MAX`, counted once line breaks are plain newlines.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from coop.domain.notifications import ANNOUNCEMENT_BODY_MAX, ANNOUNCEMENT_SUBJECT_MAX
from coop.domain.text import CONTROL_CHARACTERS

# HTML's elements, and those mail programs and word processors paste in (longest first).
_ELEMENTS = (
    "blockquote|figcaption|colgroup|fieldset|frameset|noscript|optgroup|template|"
    "textarea|address|article|caption|details|picture|section|summary|button|canvas|"
    "center|dialog|figure|footer|header|iframe|legend|object|option|output|script|"
    "select|source|strike|strong|aside|audio|embed|frame|input|label|param|small|"
    "style|table|tbody|tfoot|thead|title|track|video|abbr|base|body|cite|code|data|"
    "font|form|head|html|link|main|mark|meta|samp|span|time|bdi|bdo|col|del|dfn|div|"
    "img|ins|kbd|map|nav|pre|sub|sup|svg|var|wbr|o:p|br|dd|dl|dt|em|h1|h2|h3|h4|h5|"
    "h6|hr|li|ol|td|th|tr|tt|ul|a|b|i|p|q|s|u"
)
MARKUP = re.compile(r"<!--|<!doctype\b|</?(?:" + _ELEMENTS + r")(?=[\s/>])[^<>]*>", re.IGNORECASE)
_LINE_BREAKS = re.compile(r"\r\n?")

SUBJECT_MISSING = "Write a subject: it is the first thing members see in their inbox."
SUBJECT_ONE_LINE = "Keep the subject to one line."
SUBJECT_TOO_LONG = f"Keep the subject to at most {ANNOUNCEMENT_SUBJECT_MAX} characters."
BODY_MISSING = "Write the announcement: members get what you type here."
BODY_TOO_LONG = f"Keep the announcement to at most {ANNOUNCEMENT_BODY_MAX:,} characters."
PLAIN_TEXT_ONLY = (
    "Write the announcement as plain text, without HTML tags such as {tag}: members' email "
    "shows it exactly as typed, so they would see the tags. If you copied it from a web page "
    "or a document, paste it as plain text."
)
CONTROL = "This can't contain control characters."
HTML_ONLY = (
    "This is only HTML, with no words once its tags are taken away. Write the announcement "
    "as plain text: members' email shows it exactly as typed."
)


@dataclass(frozen=True)
class Announcement:
    """An announcement's subject and body, trimmed and checked."""

    subject: str
    body: str


def plain(text: str | None) -> str:
    """Return *text* trimmed, with every line break a plain newline."""
    return _LINE_BREAKS.sub("\n", text or "").strip()


def _blank(text: str) -> bool:
    # Zero-width spaces, joiners and byte-order marks (Unicode "format" characters)
    # show nothing: a part made only of them and spaces says nothing.
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)


def markup_in(text: str) -> str | None:
    """Return the first HTML tag in *text*, or None when it is plain text."""
    found = MARKUP.search(text)
    return found.group(0) if found is not None else None


def _markup_problem(text: str) -> str | None:
    tag = markup_in(text)
    if tag is None:
        return None
    if not MARKUP.sub("", text).replace("&nbsp;", " ").strip():
        return HTML_ONLY
    shown = tag if len(tag) <= 12 else tag[:10] + "…"
    return PLAIN_TEXT_ONLY.format(tag=shown)


def subject_problem(subject: str | None) -> str | None:
    """Return why *subject* cannot head an announcement, or None when it can."""
    text = plain(subject)
    if _blank(text):
        return SUBJECT_MISSING
    if CONTROL_CHARACTERS.search(text):
        return CONTROL
    if "\n" in text:
        return SUBJECT_ONE_LINE
    if len(text) > ANNOUNCEMENT_SUBJECT_MAX:
        return SUBJECT_TOO_LONG
    return _markup_problem(text)


def body_problem(body: str | None) -> str | None:
    """Return why *body* cannot be sent as an announcement, or None when it can."""
    text = plain(body)
    if _blank(text):
        return BODY_MISSING
    if CONTROL_CHARACTERS.search(text):
        return CONTROL
    if len(text) > ANNOUNCEMENT_BODY_MAX:
        return BODY_TOO_LONG
    return _markup_problem(text)


def announcement_problems(subject: str | None, body: str | None) -> dict[str, str]:
    """Return each part's problem by name ("subject", "body"); empty when it may be sent."""
    problems = {"subject": subject_problem(subject), "body": body_problem(body)}
    return {name: problem for name, problem in problems.items() if problem is not None}
