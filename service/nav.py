"""The staff top bar's links: each feature declares its pages and the roles that may open
them (`Feature.pages`), and the bar shows a signed-in person the ones their role opens.

A page under a centre (`{centre}` in its path) is listed for a person of one centre (the desk,
a doctor, the manager of one centre); someone with several reaches those pages from the
centres list instead, which keeps the bar one line on a tablet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jinja2 import Environment

from service.accounts import Role
from service.auth import Principal


@dataclass(frozen=True)
class StaffPage:
    path: str  # "/rota", or "/reception/{centre}"
    label: str  # a key of the catalogue
    roles: frozenset[Role]
    order: int = 50  # left to right in the bar

    @property
    def per_centre(self) -> bool:
        return "{centre}" in self.path


@dataclass(frozen=True)
class NavLink:
    href: str
    label: str  # a key of the catalogue


@dataclass(frozen=True)
class StaffPages:
    """Every staff page of the app (a shell part, found by the templates)."""

    pages: tuple[StaffPage, ...]

    def links_for(self, role: Role, centres: Iterable[str]) -> list[NavLink]:
        slugs = sorted(centres)
        links: list[NavLink] = []
        for page in sorted(self.pages, key=lambda p: (p.order, p.path)):
            if role not in page.roles:
                continue
            if page.per_centre:
                if len(slugs) == 1:
                    links.append(NavLink(page.path.replace("{centre}", slugs[0]), page.label))
            else:
                links.append(NavLink(page.path, page.label))
        return links


def every_role(*but: Role) -> frozenset[Role]:
    return frozenset(Role) - set(but)


def staff_pages(pages: Sequence[StaffPage]) -> StaffPages:
    return StaffPages(tuple(pages))


def install_nav(environment: Environment, pages: StaffPages) -> None:
    """`nav_links(user)` in every template: the links of the bar for the signed-in person.
    The app's own pages are closed over (each app has its own engine), so the macro needs no
    request in its context."""

    def nav_links(user: object) -> list[NavLink]:
        if not isinstance(user, Principal):
            return []
        return pages.links_for(user.role, user.centre_slugs)

    environment.globals.update(nav_links=nav_links)
