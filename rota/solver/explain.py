"""Words for a plan: what each objective term stands for, and why a need stayed uncovered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rota.solver.model import Term, TermValue, Uncovered, UncoveredReason
from rota.solver.prepare import Prepared, needs_supervision

# (French, English) with {count}: one sentence per term.
_WORDING: Mapping[Term, tuple[str, str]] = {
    Term.COVER_SHORTFALL: (
        "{count} médecin(s) manquant(s) sur l'ensemble des besoins de couverture",
        "{count} doctor(s) short over all cover needs",
    ),
    Term.COVER_EXCESS: (
        "{count} médecin(s) en trop par rapport aux besoins",
        "{count} doctor(s) more than needed",
    ),
    Term.WISHES: (
        "{count} souhait(s) de médecins non respecté(s)",
        "{count} doctors' wish(es) not honoured",
    ),
    Term.TARGETS: (
        "écart total de {count} (gardes ou heures) aux objectifs mensuels des médecins",
        "{count} shift(s) or hour(s) away from the doctors' monthly targets in all",
    ),
    Term.FAIR_WEEKENDS: (
        "écart de {count} week-end(s) entre le médecin le plus et le moins sollicité",
        "{count} weekend(s) between the busiest and the least busy doctor",
    ),
    Term.FAIR_HOLIDAYS: (
        "écart de {count} jour(s) férié(s) travaillé(s) entre médecins",
        "{count} public holiday(s) worked between the busiest and the least busy doctor",
    ),
    Term.FAIR_LATE: (
        "écart de {count} garde(s) tardive(s) entre médecins",
        "{count} late shift(s) between the busiest and the least busy doctor",
    ),
    Term.CENTRES_PER_WEEK: (
        "{count} centre(s) supplémentaire(s) dans la semaine d'un médecin",
        "{count} extra centre(s) in a doctor's week",
    ),
    Term.ISOLATED_DAYS: (
        "{count} journée(s) isolée(s) entre deux repos",
        "{count} isolated working day(s) between days off",
    ),
    Term.CHANGES: (
        "{count} garde(s) existante(s) déplacée(s) ou retirée(s)",
        "{count} existing shift(s) moved or removed",
    ),
}


def explain_terms(values: Mapping[Term, int], counts: Mapping[Term, int]) -> tuple[TermValue, ...]:
    """The terms in order of importance, with their weighted penalty and unit count."""
    rows = []
    for term in Term:
        if term not in values:
            continue
        count = counts.get(term, 0)
        french, english = _WORDING[term]
        rows.append(
            TermValue(
                term, values[term], count, french.format(count=count), english.format(count=count)
            )
        )
    return tuple(rows)


def explain_uncovered(
    prep: Prepared, plan: set[tuple[int, int]], shortfalls: Sequence[int]
) -> tuple[Uncovered, ...]:
    """Each need left short, with the reason: nobody free, limits, or supervision."""
    shifts = prep.shifts
    busy: dict[int, list[int]] = {}
    for d, s in plan:
        busy.setdefault(d, []).append(s)
    can_take: dict[int, set[int]] = {}
    for d, mine in enumerate(prep.eligible):
        for s in mine:
            can_take.setdefault(s, set()).add(d)
    found = []
    for n, need in enumerate(prep.problem.needs):
        missing = shortfalls[n] if n < len(shortfalls) else 0
        if missing <= 0:
            continue
        free = {d for s in prep.covering[n] for d in can_take.get(s, ())}
        centre = prep.centres[need.centre_id]
        idle = {
            d
            for d in free
            if not any(
                shifts[s].start < need.end and shifts[s].end > need.start for s in busy.get(d, ())
            )
        }
        if not free:
            reason = UncoveredReason.NO_ONE_AVAILABLE
            french = "aucun médecin rattaché n'est disponible (congé, indisponibilité)"
            english = "no attached doctor is available (leave, unavailability)"
        elif idle and all(needs_supervision(prep.doctors[d], centre) for d in idle):
            reason = UncoveredReason.SUPERVISION
            french = (
                f"{len(idle)} médecin(s) junior(s) ou interne(s) libre(s), "
                "mais aucun senior ou maître de stage présent pour les encadrer"
            )
            english = (
                f"{len(idle)} junior or intern doctor(s) free, "
                "but no senior or supervisor on duty to supervise them"
            )
        else:
            reason = UncoveredReason.LIMITS
            french = (
                f"{len(free)} médecin(s) disponible(s), déjà en poste ailleurs ou au bout de "
                "leurs limites (heures, repos, jours consécutifs, salles)"
            )
            english = (
                f"{len(free)} doctor(s) available, already on duty elsewhere or at their "
                "limits (hours, rest, consecutive days, rooms)"
            )
        found.append(
            Uncovered(
                need.centre_id, need.day, need.start, need.end, missing, reason, french, english
            )
        )
    return tuple(found)
