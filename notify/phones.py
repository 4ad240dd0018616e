"""Mobile numbers that can take an SMS, France and Belgium, as E.164 (plain logic)."""

from __future__ import annotations

import re

# Country code -> the national significant number of a mobile (after the code, no 0).
MOBILE_PATTERNS: dict[str, re.Pattern[str]] = {
    "33": re.compile(r"^[67]\d{8}$"),  # France: 06 / 07 and 8 digits
    "32": re.compile(r"^4[5-9]\d{7}$"),  # Belgium: 045x-049x and 7 digits
}
NATIONAL_PREFIX = {"FR": "33", "BE": "32"}
_SEPARATORS = re.compile(r"[\s.\-()/]")


class BadPhone(ValueError):
    pass


def to_e164(raw: str, country: str = "FR") -> str:
    """``+33612345678`` from ``06 12 34 56 78``, ``+33 6…``, ``0033 6…``; a Belgian number
    the same way (``0470 12 34 56`` with country BE, or ``+32 470…``). Refuses landlines,
    other countries and anything else with BadPhone."""
    digits = _SEPARATORS.sub("", raw.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+"):
        code, national = digits[1:3], digits[3:]
    elif digits.startswith("0") and country in NATIONAL_PREFIX:
        code, national = NATIONAL_PREFIX[country], digits[1:]
    else:
        raise BadPhone("a French or Belgian mobile number / un numéro de mobile français ou belge")
    pattern = MOBILE_PATTERNS.get(code)
    if pattern is None or not pattern.match(national):
        raise BadPhone(
            "only French (06, 07) or Belgian (04) mobile numbers can get an SMS / "
            "seuls les mobiles français (06, 07) ou belges (04) reçoivent un SMS"
        )
    return f"+{code}{national}"


def masked(e164: str) -> str:
    """What may appear in a file or a log line: the country and the last two digits."""
    return f"{e164[:3]}•••••••{e164[-2:]}" if len(e164) > 5 else "•••"
