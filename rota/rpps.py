"""The RPPS number: 11 digits, the last one a Luhn check digit over the first ten."""

from __future__ import annotations


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits ends with its Luhn check digit."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:  # every second digit from the right is doubled
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def rpps_problem(rpps: str) -> str | None:
    """Why ``rpps`` is not an RPPS number (French, then English), or None when it is."""
    if len(rpps) != 11 or not rpps.isascii() or not rpps.isdigit():
        return "le numéro RPPS a 11 chiffres / an RPPS number has 11 digits"
    if not luhn_valid(rpps):
        return (
            f"numéro RPPS {rpps} invalide : la clé (dernier chiffre) ne correspond pas, "
            "vérifiez la saisie / invalid RPPS number: its check digit does not match"
        )
    return None
