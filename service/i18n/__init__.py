"""The one translation catalogue of every page, French first, and the one rule for the language.

`fr.json` and `en.json` hold the same keys. Templates read them through the Jinja globals
installed by `install_jinja_globals` (`t("key", n=3)`, `page_lang()`, `catalogue_json()`);
scripts get the page's catalogue as JSON in `<script type="application/json" id="i18n">`
(our CSP forbids inline scripts, not data blocks) and read it with /static/service/i18n.js.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine
from markupsafe import Markup

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
DEFAULT_LANG: Lang = "fr"
LANG_COOKIE = "walkin_lang"
_FOLDER = Path(__file__).resolve().parent


@cache
def catalogue(lang: Lang) -> dict[str, str]:
    loaded: dict[str, str] = json.loads((_FOLDER / f"{lang}.json").read_text(encoding="utf-8"))
    return loaded


def translate(lang: Lang, key: str, **values: object) -> str:
    """The text of `key` with its {placeholders} filled; French, then the key, when missing."""
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANG).get(key) or key
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def known_lang(value: str | None) -> Lang | None:
    for lang in LANGS:
        if value == lang:
            return lang
    return None


def accept_language(header: str) -> Lang:
    """The preferred of our languages in an Accept-Language header; French when none is."""
    best: Lang = DEFAULT_LANG
    best_q = -1.0
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        for lang in LANGS:
            if primary == lang and q > best_q:
                best, best_q = lang, q
    return best


def choose_lang(explicit: str | None, remembered: str | None, accept_header: str) -> Lang:
    """The rule of every page: ?lang= first, then the remembered choice, then the browser's."""
    return known_lang(explicit) or known_lang(remembered) or accept_language(accept_header)


def request_lang(request: Any) -> Lang:
    return choose_lang(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language", ""),
    )


def _context_lang(context: Context) -> Lang:
    # A handler may have decided already (error pages); else the request in the context does.
    decided = known_lang(context.get("lang"))
    if decided is not None:
        return decided
    request = context.get("request")
    return request_lang(request) if request is not None else DEFAULT_LANG


@pass_context
def _t(context: Context, key: str, **values: object) -> str:
    return translate(_context_lang(context), key, **values)


def plural_key(lang: Lang, key: str, n: int) -> str:
    """``key_one`` or ``key_many`` for a count: French takes the singular for 0 and 1
    ("0 patient en attente"), English for 1 only."""
    one = n in (0, 1) if lang == "fr" else n == 1
    return f"{key}_{'one' if one else 'many'}"


@pass_context
def _tn(context: Context, key: str, n: int, **values: object) -> str:
    lang = _context_lang(context)
    return translate(lang, plural_key(lang, key, n), n=n, **values)


@pass_context
def _page_lang(context: Context) -> Lang:
    return _context_lang(context)


@pass_context
def _other_lang_href(context: Context) -> str:
    """This page in the other language: the same query (a month, a centre...) with ?lang=."""
    other = "en" if _context_lang(context) == "fr" else "fr"
    request = context.get("request")
    kept = [] if request is None else request.query_params.multi_items()
    return "?" + urlencode([*((k, v) for k, v in kept if k != "lang"), ("lang", other)])


@pass_context
def _catalogue_json(context: Context) -> Markup:
    # Inside <script type="application/json"> entities are not decoded, so the JSON is written
    # raw; no "<" at all, so that nothing in it can close the element or open a comment.
    text = json.dumps(catalogue(_context_lang(context)), ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c"))


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(lang: Lang, day: date) -> str:
    """'07/12/2026' in French, '7 Dec 2026' in English (never ISO on a page)."""
    if lang == "fr":
        return f"{day:%d/%m/%Y}"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def number_text(lang: Lang, value: float, digits: int = 1) -> str:
    """'3', '7,5' in French, '7.5' in English: no trailing zero, the language's decimal mark."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "fr" else text


@pass_context
def _format_day(context: Context, day: date) -> str:
    return day_text(_context_lang(context), day)


@pass_context
def _format_number(context: Context, value: float, digits: int = 1) -> str:
    return number_text(_context_lang(context), value, digits)


def install_jinja_globals(environment: Environment) -> None:
    environment.globals.update(
        t=_t,
        tn=_tn,
        page_lang=_page_lang,
        other_lang_href=_other_lang_href,
        catalogue_json=_catalogue_json,
        format_day=_format_day,
        format_number=_format_number,
    )


def install_in_engine(engine: JinjaTemplateEngine) -> None:
    """TemplateConfig's engine_callback: Litestar's Jinja engine keeps its environment here."""
    install_jinja_globals(engine.engine)
