"""The code printed on a copy's label (as text and as a Code128 barcode) and read back by
the packing screen's scan box: "C" and the copy's id, zero-padded to eight digits
("C00000042"). One place defines it, so labels and the scanner always agree.
"""

from __future__ import annotations

import re

PREFIX = "C"
DIGITS = 8

# A scanner types the code exactly; staff typing by hand may drop the zeros, use a lower
# case "c", or leave out the letter.
_CODE = re.compile(r"[Cc]?0*([1-9][0-9]{0,17})")


def copy_code(copy_id: int) -> str:
    """The label code of the copy with this id."""
    return f"{PREFIX}{copy_id:0{DIGITS}d}"


def copy_id_from_code(text: str) -> int | None:
    """The copy id a label code names, or None when `text` is not a label code."""
    match = _CODE.fullmatch(text.strip())
    return int(match.group(1)) if match else None
