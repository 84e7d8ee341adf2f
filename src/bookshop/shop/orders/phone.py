"""What the shop accepts as a delivery phone number: something a courier can dial."""

from __future__ import annotations

import re

# ASCII only: "٠١٢" or full-width digits are digits to Python's \d, not to a courier.
_CHARACTERS = re.compile(r"\+?[0-9 ().-]+")
# E.164: at most 15 digits; fewer than 5 is no phone number anywhere.
MIN_DIGITS, MAX_DIGITS = 5, 15

CHARACTERS_MESSAGE = "Enter a phone number with the digits 0-9, spaces and + ( ) - . only."
DIGITS_MESSAGE = f"A phone number has {MIN_DIGITS} to {MAX_DIGITS} digits."
BRACKETS_MESSAGE = "The brackets in this phone number do not pair up."


def phone_problem(phone: str) -> str:
    """Why `phone` is not a phone number ("" when it is, or when it is empty)."""
    if not phone:
        return ""
    if not _CHARACTERS.fullmatch(phone):
        return CHARACTERS_MESSAGE
    digits = sum(char.isdigit() for char in phone)
    if not MIN_DIGITS <= digits <= MAX_DIGITS:
        return DIGITS_MESSAGE
    depth = 0
    for char in phone:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth not in (0, 1):
            return BRACKETS_MESSAGE
    return BRACKETS_MESSAGE if depth else ""
