"""Human-readable text: one rule for every name, label, reason and note the service accepts.

Refused: control characters (C0 with CR, LF, TAB and NUL; DEL; C1), bidirectional overrides,
embeddings, isolates and marks (a label reading "A.B." on the reception screen that is really
"B.A." reversed), and zero-width or otherwise invisible characters (two names that look the same
but differ). They break calendar feeds and CSV rows (CR/LF), PostgreSQL (NUL), and let a
patient or an account spoof what staff read. Letters, accents, emoji and ordinary spaces pass.

Schemas use `HumanText` (with their own length limits in another `Meta`); msgspec checks the
pattern, and `explain_validation` turns its regex-quoting message into a readable one.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Request, Response
from msgspec import Meta

# (first, last) code points, each range with why it is refused.
UNSAFE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F),  # C0 controls: NUL, TAB, LF, CR...
    (0x007F, 0x009F),  # DEL and the C1 controls
    (0x00AD, 0x00AD),  # soft hyphen: invisible
    (0x034F, 0x034F),  # combining grapheme joiner: invisible
    (0x061C, 0x061C),  # Arabic letter mark (bidi)
    (0x115F, 0x1160),  # Hangul fillers: blank
    (0x180E, 0x180E),  # Mongolian vowel separator: invisible
    (0x200B, 0x200F),  # zero-width space, non-joiner, joiner; LRM, RLM
    (0x2028, 0x2029),  # line and paragraph separators
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x2069),  # bidi isolates
    (0x206A, 0x206F),  # deprecated format characters
    (0x3164, 0x3164),  # Hangul filler
    (0xFEFF, 0xFEFF),  # zero-width no-break space (BOM)
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xFFF9, 0xFFFB),  # interlinear annotations
    (0xE0000, 0xE007F),  # tag characters: invisible
)


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    def esc(code: int) -> str:
        return (
            f"\\x{code:02x}"
            if code < 0x100
            else f"\\u{code:04x}"
            if code < 0x10000
            else (f"\\U{code:08x}")
        )

    return "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges)


UNSAFE_CLASS = _char_class(UNSAFE_RANGES)
_UNSAFE = re.compile(f"[{UNSAFE_CLASS}]")
# How msgspec quotes our patterns in its error messages, to recognise them there.
_QUOTED_PATTERNS: set[str] = set()


def human_text_pattern(also_refused: str = "") -> str:
    """For msgspec and the OpenAPI schema: the whole value free of unsafe characters (and of
    `also_refused`, e.g. "<>" for what staff screens show)."""
    pattern = f"^[^{UNSAFE_CLASS}{re.escape(also_refused)}]*$"
    _QUOTED_PATTERNS.add(repr(pattern))
    return pattern


HUMAN_TEXT_PATTERN = human_text_pattern()

MESSAGE = (
    "control, bidirectional or invisible characters (or < >) are not allowed"
    " / caractères de contrôle, bidirectionnels ou invisibles (ou < >) refusés"
)

HumanText = Annotated[
    str,
    Meta(
        pattern=HUMAN_TEXT_PATTERN,
        description="Text for people: no control, bidi-override or invisible characters.",
    ),
]


def find_unsafe_character(value: str) -> str | None:
    """The first refused character, named as U+XXXX, or None."""
    found = _UNSAFE.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def check_human_text(value: str) -> str:
    """For values that do not come through a schema: the value, or ValueError."""
    found = find_unsafe_character(value)
    if found:
        raise ValueError(f"{MESSAGE} ({found})")
    return value


def _is_ours(message: str) -> bool:
    return "matching regex" in message and any(q in message for q in _QUOTED_PATTERNS)


def explain_bad_request(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The API's 400 answer, with msgspec's regex-quoting message for our pattern made readable.

    Registered for the status code, not the class: pages' own handlers (HTML) still win.
    """
    status = getattr(exc, "status_code", 400)
    detail = getattr(exc, "detail", "") or "bad request / requête invalide"
    raw = getattr(exc, "extra", None)
    extra = raw if isinstance(raw, list) else [raw] if raw else []
    readable = [
        {**item, "message": MESSAGE}
        if isinstance(item, dict) and _is_ours(str(item.get("message", "")))
        else item
        for item in extra
    ]
    body: dict[str, Any] = {"status_code": status, "detail": detail}
    if readable:
        body["extra"] = readable
    if any(isinstance(item, dict) and item.get("message") == MESSAGE for item in readable):
        body["detail"] = f"{detail}: {MESSAGE}"
    return Response(body, status_code=status)
