"""Validators every package uses: USCC, phone, email, area, text; masking; search initials.

Each returns the clean value or raises ``Refused(code)`` naming what is wrong.
"""
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import phonenumbers
from pypinyin import Style, lazy_pinyin
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from community.refusals import Refused


def clean_uscc(value):
    """The USCC in canonical form, or Refused naming what is wrong with it."""
    value = unicodedata.normalize("NFKC", value or "").strip().upper().replace(" ", "")
    if not value:
        raise Refused("required")
    if len(value) != 18:
        raise Refused("uscc_length")
    try:
        return stdnum_uscc.validate(value)
    except InvalidChecksum:
        raise Refused("uscc_checksum") from None
    except ValidationError:
        raise Refused("uscc_format") from None


def clean_phone(value, mobile_only=False):
    """A Chinese phone number as national digits (13800138000, 02363001234)."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    value = re.sub(r"[\s\-()（）]", "", value)
    if not value:
        raise Refused("required")
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        raise Refused("phone_invalid") from None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        raise Refused("phone_invalid")
    kind = phonenumbers.number_type(number)
    if mobile_only and kind not in (phonenumbers.PhoneNumberType.MOBILE,
                                    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise Refused("phone_not_mobile")
    national = str(number.national_number)
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        national = "0" + national
    return national


def mask_phone(value):
    """138****8000: what screens and exports show unless an admin asks for more."""
    if not value or len(value) < 7:
        return value or ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def clean_email(value):
    value = (value or "").strip()
    if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise Refused("email_invalid")
    return value


def clean_area(value):
    """An area in m² as a positive Decimal with at most two decimals."""
    try:
        area = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        raise Refused("area_invalid") from None
    if not area.is_finite() or area <= 0:
        raise Refused("area_not_positive")
    if area != area.quantize(Decimal("0.01")) or area >= Decimal("100000000"):
        raise Refused("area_invalid")
    return area.quantize(Decimal("0.01"))


def clean_text(value, limit, required=False):
    """Stripped text of at most `limit` characters ("required", "too_long")."""
    value = (value or "").strip()
    if required and not value:
        raise Refused("required")
    if len(value) > limit:
        raise Refused("too_long")
    return value


def initials(name):
    """Pinyin initials for search: 重庆云启科技 -> cqyqkj."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
