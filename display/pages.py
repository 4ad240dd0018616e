"""The screen page, the pairing page: plain HTML and a little JavaScript."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from display.access import Refused, authorise_viewer

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Salle d'attente",
        "called": "Appel en cours",
        "recent": "Derniers appels",
        "wait": "Attente estimée pour un nouveau patient",
        "waiting": "Patients en attente",
        "urgent": "dont urgences",
        "doctors": "Médecins présents",
        "offline": "Connexion perdue — reconnexion…",
        "degraded": "Mises à jour ralenties",
        "closed_checkin": "Enregistrement fermé pour aujourd'hui",
        "closed": "Centre fermé",
        "room": "cabinet",
        "ticket": "Ticket",
        "minutes": "min",
        "none": "Aucun appel pour le moment",
        "refused": "Cet écran n'est pas autorisé pour ce centre.",
        "pair": "Appairer cet écran",
        "pair_title": "Appairer un écran",
        "pair_help": "À l'accueil ou depuis l'espace responsable, saisissez ce code :",
        "pair_expired": "Code expiré, nouveau code…",
        "pair_wait": "En attente de confirmation…",
    },
    "en": {
        "title": "Waiting room",
        "called": "Now calling",
        "recent": "Recently called",
        "wait": "Estimated wait for a new patient",
        "waiting": "Patients waiting",
        "urgent": "of which urgent",
        "doctors": "Doctors on duty",
        "offline": "Connection lost — reconnecting…",
        "degraded": "Updates slowed down",
        "closed_checkin": "Check-in closed for today",
        "closed": "Centre closed",
        "room": "room",
        "ticket": "Ticket",
        "minutes": "min",
        "none": "No call yet",
        "refused": "This screen is not allowed for this centre.",
        "pair": "Pair this screen",
        "pair_title": "Pair a screen",
        "pair_help": "At reception or in the managers' space, enter this code:",
        "pair_expired": "Code expired, new code…",
        "pair_wait": "Waiting for confirmation…",
    },
}


def language(lang: str | None) -> str:
    return "en" if lang == "en" else "fr"


@get("/display/pair", media_type=MediaType.HTML, include_in_schema=False)
async def pair_page(lang: FromQuery[str | None] = None) -> Template:
    code = language(lang)
    return Template(template_name="display/pair.html", context={"lang": code, "t": TEXTS[code]})


@get("/display/{centre_slug:str}", media_type=MediaType.HTML, include_in_schema=False)
async def screen_page(
    centre_slug: FromPath[str], request: Request[Any, Any, Any], lang: FromQuery[str | None] = None
) -> Template:
    code = language(lang)
    try:
        async with request.app.state["db_config"].get_session() as session:
            viewer = await authorise_viewer(request, centre_slug, session)
    except Refused as refused:
        return Template(
            template_name="display/refused.html",
            context={"lang": code, "t": TEXTS[code], "detail": refused.message},
            status_code=refused.status,
        )
    return Template(
        template_name="display/screen.html",
        context={
            "lang": code,
            "t": TEXTS[code],
            "centre": viewer.centre,
        },
        headers={"Cache-Control": "no-store"},
    )
