"""What accounts may be: the password rules, the shape of each role, who manages whom.

Plain functions without the database, so that tests call them directly and the pages show the
same rules the API applies.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

from service.accounts import Role

PASSWORD_MIN = 12
PASSWORD_MAX = 128
# A set-up link is sent by hand (message, paper): three days to use it, then ask again.
SETUP_VALID_FOR = timedelta(days=3)
SETUP_TOKEN_BYTES = 24

# Shown beside every password field, and the first broken one refused.
PASSWORD_RULES = {
    "fr": [
        f"au moins {PASSWORD_MIN} caractères (une phrase de quelques mots convient)",
        f"au plus {PASSWORD_MAX} caractères",
        "ni votre identifiant ni votre nom",
    ],
    "en": [
        f"at least {PASSWORD_MIN} characters (a few words make a good one)",
        f"at most {PASSWORD_MAX} characters",
        "neither your username nor your name",
    ],
}


def password_problem(password: str, username: str, display_name: str) -> str | None:
    """Why a chosen password is refused (French / English), or None."""
    if len(password) < PASSWORD_MIN:
        return (
            f"mot de passe trop court: au moins {PASSWORD_MIN} caractères / "
            f"password too short: at least {PASSWORD_MIN} characters"
        )
    if len(password) > PASSWORD_MAX:
        return (
            f"mot de passe trop long: au plus {PASSWORD_MAX} caractères / "
            f"password too long: at most {PASSWORD_MAX} characters"
        )
    folded = password.casefold()
    for own in (username, display_name):
        if own and len(own) >= 3 and own.casefold() in folded:
            return (
                "le mot de passe ne doit contenir ni votre identifiant ni votre nom / "
                "the password must not contain your username or name"
            )
    if len(set(password)) < 4:
        return "mot de passe trop simple / password too simple"
    return None


def shape_problem(role: Role, centre_count: int, doctor_linked: bool) -> str | None:
    """What a role needs: network managers no centre, centre managers one or more, reception
    and doctors exactly one; only a doctor's account is linked to a doctor's record."""
    if role is Role.MANAGER and centre_count:
        return (
            "un responsable réseau n'a pas de centre (il les a tous) / "
            "a network manager has no centre (they have them all)"
        )
    if role is Role.CENTRE_MANAGER and not centre_count:
        return "choisissez au moins un centre / choose at least one centre"
    if role in (Role.RECEPTION, Role.DOCTOR) and centre_count != 1:
        return "choisissez un seul centre / choose exactly one centre"
    if doctor_linked and role is not Role.DOCTOR:
        return (
            "seul un compte médecin est lié à une fiche médecin / "
            "only a doctor's account is linked to a doctor's record"
        )
    return None


def management_problem(
    manager_role: Role,
    manager_centres: Collection[int],
    role: Role,
    centre_ids: Collection[int],
) -> str | None:
    """Whether someone of `manager_role` at `manager_centres` may manage an account of
    `role` at `centre_ids`: network managers manage everyone; centre managers the reception
    and doctor accounts of their own centres, never a manager's."""
    if manager_role is Role.MANAGER:
        return None
    if manager_role is not Role.CENTRE_MANAGER:
        return "réservé aux responsables / managers only"
    if role not in (Role.RECEPTION, Role.DOCTOR):
        return (
            "un responsable de centre gère les comptes d'accueil et de médecin seulement / "
            "a centre manager manages reception and doctor accounts only"
        )
    outside = set(centre_ids) - set(manager_centres)
    if outside or not centre_ids:
        return "ce centre n'est pas le vôtre / not your centre"
    return None


def new_setup_token() -> str:
    return secrets.token_urlsafe(SETUP_TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What is kept of a set-up token: its SHA-256 (the token is random, so no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def setup_usable(expires_at: datetime, used_at: datetime | None, now: datetime) -> bool:
    return used_at is None and now < expires_at
