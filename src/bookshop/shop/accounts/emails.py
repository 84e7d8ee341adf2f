"""Email addresses as the shop keeps them: one spelling per mailbox.

`bob@exa` + a zero-width space + `mple.com` looks like `bob@example.com` on every
screen, and the same address in full-width letters means it: a look-alike account beside
a customer's is a phishing tool. So every address is brought to Unicode's compatibility
form (NFKC), any character that draws nothing is refused, the domain is lower-cased (with
punycode labels spelled out), and uniqueness ignores case (a database constraint,
`Lower("email")`).
The local part keeps its case: Django's validator only lets ASCII through there, which
both databases' LOWER() compare correctly.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

# Categories whose characters draw nothing (or are not characters at all): controls,
# format characters (zero-width space and joiners, bidi controls, the BOM, soft hyphen),
# surrogates, private use, unassigned, separators other than the ASCII space.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
# Letters and marks that draw nothing: Hangul fillers, the braille blank, the combining
# grapheme joiner, Khmer and Mongolian vowel signs shown as nothing.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180e")

INVISIBLE_MESSAGE = (
    "This email address contains a character that cannot be seen ({codes}). "
    "Please type the address again by hand."
)
INVALID_MESSAGE = "Enter a valid email address."


def _invisible(char: str) -> bool:
    if char == " ":
        return False  # the email validator refuses it with its own message
    if char in _INVISIBLE or "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef":
        return True  # variation selectors too
    return unicodedata.category(char) in _INVISIBLE_CATEGORIES


def _domain(domain: str) -> str:
    labels = []
    for label in domain.lower().split("."):
        if label.startswith("xn--"):
            # The punycode spelling of an international name is the same domain.
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError as exc:
                raise ValidationError(INVALID_MESSAGE, code="invalid") from exc
            label = unicodedata.normalize("NFKC", label).lower()
        labels.append(label)
    return ".".join(labels)


def email_normalize(value: str) -> str:
    """The one spelling of an address: NFKC, the domain lower-cased and in Unicode.

    Raises ValidationError for an address with a character that cannot be seen; whether
    the rest is a valid address is Django's email validator's business.
    """
    text = unicodedata.normalize("NFKC", value.strip())
    hidden = sorted({char for char in text if _invisible(char)})
    if hidden:
        codes = ", ".join(f"U+{ord(char):04X}" for char in hidden)
        raise ValidationError(INVISIBLE_MESSAGE.format(codes=codes), code="invisible")
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    text = f"{local}@{_domain(domain)}"
    for char in text:
        if _invisible(char):  # punycode can spell them too
            raise ValidationError(
                INVISIBLE_MESSAGE.format(codes=f"U+{ord(char):04X}"), code="invisible"
            )
    return text


def email_key(value: str) -> str:
    """What two addresses share when they are one mailbox for the shop."""
    return email_normalize(value).lower()


class EmailAddressFormField(forms.EmailField):
    """An email form field that normalises what was typed before validating it."""

    def to_python(self, value: str | None) -> str:
        typed = super().to_python(value) or ""
        return email_normalize(typed) if typed else typed


class EmailAddressField(models.EmailField):
    """An email column whose values are normalised wherever a form or full_clean() saves
    them (registration, profile, admin, createsuperuser)."""

    def to_python(self, value: object) -> Any:
        value = super().to_python(value)
        return email_normalize(value) if isinstance(value, str) and value else value

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]  # the stubs' overloads
        return super().formfield(**{"form_class": EmailAddressFormField, **kwargs})
