"""UK bank details and the payment references households quote on a bank transfer.

A **sort code** is six digits, shown ``12-34-56``, and may be typed with
hyphens, spaces or neither; an **account number** is eight digits; a
building society may also need a **roll number** (letters, digits and the
odd separator, at most 18 characters, as banks' reference fields allow).

A **payment reference** names one household of one co-op on a transfer:
the co-op's short code (up to four letters from its address), the
household's number (its membership's id, at least four digits) and one
check character, written ``FISH-0042-7``. Banks may drop the hyphens, turn
them into spaces or change the case, so a reference is read back from any
of ``FISH-0042-7``, ``fish 0042 7`` or ``FISH00427``. It is letters and
digits only and far shorter than the 18 characters Faster Payments carries.

The check character is a weighted sum modulo 31 (a prime) over the whole
reference, written in an alphabet of 31 characters without the confusable
B, I, O, S and Z (typed in their place, they are read as 8, 1, 0, 5 and 2).
Every position has its own weight and two digits never differ by 31, so
changing any one digit or the check character, or swapping any two
neighbours, changes the sum. The short code is read against the co-op's
own, so a slip there is caught too: a mistyped reference is refused rather
than matched to another household.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SORT_CODE_MESSAGE = "Enter the sort code as 6 digits, such as 12-34-56."
ACCOUNT_NUMBER_MESSAGE = "Enter the account number as 8 digits, such as 12345678."
ROLL_NUMBER_MESSAGE = (
    "Enter the roll number as your building society writes it: letters, digits, "
    "spaces, hyphens, slashes or dots, at most 18 characters."
)
ACCOUNT_NAME_MAX_LENGTH = 70
CASH_INSTRUCTIONS_MAX_LENGTH = 300
ROLL_NUMBER_MAX_LENGTH = 18

#: What a bank's reference field holds on a Faster Payment.
BANK_REFERENCE_MAX_LENGTH = 18
#: The check character's alphabet: digits and the letters no one mistakes for a digit.
CHECK_ALPHABET = "0123456789ACDEFGHJKLMNPQRTUVWXY"
_MODULUS = len(CHECK_ALPHABET)  # 31, a prime
CONFUSABLE = str.maketrans({"B": "8", "I": "1", "O": "0", "S": "5", "Z": "2"})
PREFIX_MAX_LETTERS = 4
NUMBER_MIN_DIGITS = 4
# Separators banks and people put into a reference; anything else is not one.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015./_]+")
# Letters then at least a number and a check character: shaped like a reference, if mistyped.
_LOOSE = re.compile(rf"[A-Z]{{1,{PREFIX_MAX_LETTERS}}}[A-Z0-9]{{{NUMBER_MIN_DIGITS + 1},11}}")
_NUMBER_AND_CHECK = re.compile(rf"([0-9]{{{NUMBER_MIN_DIGITS},10}})([{CHECK_ALPHABET}])")
_REFERENCE = re.compile(rf"([A-Z]{{1,{PREFIX_MAX_LETTERS}}})([0-9]{{{NUMBER_MIN_DIGITS},10}})(.)")
# One separator, the same in both places, or none: "12-34 56" is a slip, not a style.
_SORT_CODE = re.compile(r"[0-9]{6}|[0-9]{2}-[0-9]{2}-[0-9]{2}|[0-9]{2} [0-9]{2} [0-9]{2}")
_ROLL = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]*")

NOT_A_REFERENCE = (
    "This is not a payment reference: one looks like {example}, "
    "letters, then at least four digits, then one check character."
)
OTHER_PREFIX = (
    "This is not one of this co-op's payment references: they start with {prefix}, like {example}."
)
CHECK_MISMATCH = (
    "The check character does not match: a character of this reference is "
    "mistyped or two are swapped. Check it against the bank statement."
)


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def parse_sort_code(text: str) -> str:
    """Return a sort code's six digits from "12-34-56", "12 34 56" or "123456", or refuse it."""
    typed = text.strip()
    if not (typed.isascii() and _SORT_CODE.fullmatch(typed)):
        raise ValueError(SORT_CODE_MESSAGE)
    return typed.replace("-", "").replace(" ", "")


def format_sort_code(digits: str) -> str:
    """Show a sort code's six digits as banks print them: 12-34-56."""
    return f"{digits[:2]}-{digits[2:4]}-{digits[4:]}"


def parse_account_number(text: str) -> str:
    """Return an account number's eight digits (spaces allowed between them), or refuse it."""
    digits = text.strip().replace(" ", "")
    if len(digits) != 8 or not _ascii_digits(digits):
        raise ValueError(ACCOUNT_NUMBER_MESSAGE)
    return digits


def parse_roll_number(text: str) -> str:
    """Return a building society roll number as typed (trimmed), "" for none, or refuse it."""
    typed = " ".join(text.split())
    if not typed:
        return ""
    if len(typed) > ROLL_NUMBER_MAX_LENGTH or not (typed.isascii() and _ROLL.fullmatch(typed)):
        raise ValueError(ROLL_NUMBER_MESSAGE)
    return typed


def mask_account_number(digits: str) -> str:
    """Show only an account number's last four digits, for a message about a change."""
    return f"ending {digits[-4:]}"


# --- payment references --------------------------------------------------------------------


def reference_prefix(slug: str) -> str:
    """Return a co-op's short code: the first four letters of its address ("fishwick" -> FISH)."""
    letters = "".join(ch for ch in slug.upper() if "A" <= ch <= "Z")
    return letters[:PREFIX_MAX_LETTERS] or "CO"


def _value(ch: str) -> int:
    # Letters 10..35 and digits 0..9: two characters of one kind never differ by 31.
    return int(ch, 36)


def check_character(body: str) -> str:
    """Return the check character that makes *body* plus it sum to 0 modulo 31.

    Each character of the body has weight (its position + 1) and the check
    character the next weight, all distinct and below 31.
    """
    total = sum((position + 1) * _value(ch) for position, ch in enumerate(body))
    weight = len(body) + 1
    # weight * k + total = 0 (mod 31), so k = -total / weight.
    index = (-total * pow(weight, -1, _MODULUS)) % _MODULUS
    return CHECK_ALPHABET[index]


def payment_reference(*, prefix: str, number: int) -> str:
    """Return the reference of household *number* in the co-op with short code *prefix*."""
    body = f"{prefix}{number:0{NUMBER_MIN_DIGITS}d}"
    reference = body + check_character(body)
    if len(reference) > BANK_REFERENCE_MAX_LENGTH:  # pragma: no cover - ids stop far short
        raise ValueError("A payment reference must fit a bank's 18 characters.")
    return reference


def show_reference(reference: str) -> str:
    """Write a reference for people to read and type: FISH-0042-7."""
    match = _REFERENCE.fullmatch(reference)
    if match is None:
        return reference
    return "-".join(match.groups())


@dataclass(frozen=True)
class ReadReference:
    """What a typed reference names: the household's number, and the reference as written."""

    number: int
    reference: str  # as it is written (FISH00427), whatever was typed


def normalise_reference(text: str) -> str:
    """Return *text* upper-cased with the spaces, hyphens, dots and slashes banks add taken out."""
    return _SEPARATORS.sub("", text.strip().upper())


def read_reference(text: str, *, prefix: str) -> ReadReference:
    """Read a reference of the co-op with short code *prefix*, typed in any case, or refuse it.

    Case, spaces and hyphens do not matter, nor an O, I, S, Z or B typed for
    the digit it looks like after the short code. A reference with another
    short code is refused with `OTHER_PREFIX`; one whose check character does
    not match (a mistyped character, two swapped ones, a digit too many or
    too few) with `CHECK_MISMATCH`; anything else with `NOT_A_REFERENCE`.
    The short code is known, so a slip in it or at its end is never read
    as another co-op's reference.
    """
    typed = normalise_reference(text)
    example = show_reference(payment_reference(prefix=prefix, number=42))
    if not typed.isascii() or not _LOOSE.fullmatch(typed):
        raise ValueError(NOT_A_REFERENCE.format(example=example))
    if not typed.startswith(prefix):
        raise ValueError(OTHER_PREFIX.format(prefix=prefix, example=example))
    match = _NUMBER_AND_CHECK.fullmatch(typed[len(prefix) :].translate(CONFUSABLE))
    if match is None:
        raise ValueError(NOT_A_REFERENCE.format(example=example))
    digits, check = match.groups()
    number = int(digits)
    written = payment_reference(prefix=prefix, number=number)
    if written != prefix + digits + check:
        raise ValueError(CHECK_MISMATCH)
    return ReadReference(number=number, reference=written)
