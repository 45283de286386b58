"""Company registration numbers whose form the law fixes, checked with their check digits.

- Japan: the qualified-invoice issuer registration number (適格請求書発行事業者登録番号) is
  "T" and 13 digits: a corporation's corporate number (法人番号). Its first digit is a check
  digit over the other twelve (法人番号の指定等に関する省令 第二条): 9 - (Σ Pn×Qn mod 9), Pn the
  n-th digit counted from the right of the twelve, Qn 1 for odd n and 2 for even n.
- France: the SIREN (9 digits) and the SIRET (14 digits: SIREN + establishment number), both
  Luhn-valid, except the establishments of La Poste (SIREN 356 000 000): too many to number
  under Luhn, their SIRET digits add up to a multiple of 5 instead (its head office's,
  356 000 000 00048, is Luhn-valid).
- France, VAT: "FR" + a 2-digit key + the SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97.

Each check returns the number as stored (spaces, dots and hyphens dropped, letters upper-case)
or raises ValueError with a sentence that says what is wrong.
"""

from __future__ import annotations

import re

from djaboo.i18n import _

LA_POSTE_SIREN = "356000000"
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f\u3000‐－]+")


def compact(value: str) -> str:
    return _SEPARATORS.sub("", value or "").upper()


def corporate_check_digit(base: str) -> int:
    """The check digit of a Japanese corporate number's twelve-digit base."""
    total = sum(int(digit) * (2 if n % 2 == 0 else 1) for n, digit in enumerate(reversed(base), 1))
    return 9 - total % 9


def japanese_registration_number(value: str) -> str:
    number = compact(value).translate(_FULLWIDTH)
    if not re.fullmatch(r"T[0-9]{13}", number):
        raise ValueError(_("A Japanese registration number is T followed by 13 digits."))
    if int(number[1]) != corporate_check_digit(number[2:]):
        raise ValueError(_("This registration number's check digit is wrong: check each digit."))
    return number


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        n = int(digit) * (2 if position % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def french_registration_number(value: str) -> str:
    """A SIREN (9 digits) or a SIRET (14 digits)."""
    number = compact(value)
    if not re.fullmatch(r"[0-9]{9}|[0-9]{14}", number):
        raise ValueError(_("Enter a SIREN (9 digits) or a SIRET (14 digits)."))
    if not luhn_valid(number[:9]):
        raise ValueError(_("This SIREN is not valid (its check digit is wrong)."))
    if len(number) == 14:
        la_poste = number.startswith(LA_POSTE_SIREN) and sum(map(int, number)) % 5 == 0
        if not (luhn_valid(number) or la_poste):
            raise ValueError(_("This SIRET is not valid (its check digit is wrong)."))
    return number


def french_vat_number(value: str) -> str:
    number = compact(value)
    if re.fullmatch(r"FR[0-9]{11}", number):
        siren = number[4:]
        if int(number[2:4]) != (12 + 3 * (int(siren) % 97)) % 97:
            raise ValueError(_("This French VAT number's key does not match its SIREN."))
    elif not re.fullmatch(r"FR[0-9A-HJ-NP-Z]{2}[0-9]{9}", number):
        raise ValueError(_("A French VAT number is FR, a 2-character key and the 9-digit SIREN."))
    return number


_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｔ", "0123456789T")

CHECKS = {"JP": japanese_registration_number, "FR": french_registration_number}
VAT_CHECKS = {"FR": french_vat_number}
