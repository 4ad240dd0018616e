"""The borders between packages (README, Layout): who may import what from whom.

A feature package may import from another feature only its ``reads`` module, and from
``rota.models`` only the ``Centre`` and ``Room`` tables, which the queue's tickets and days and
the screens' tokens refer to by foreign key. Never handlers, services or private names.
The shell (``service/``) reaches the features through their ``feature`` module (``Feature``),
their models for the migrations' metadata, and ``Centre`` for accounts' centre scope.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ("queues", "rota", "display", "stats", "network", "notify", "forecast")
SHELL = "service"
FOREIGN_KEY_TABLES = {"rota.models": frozenset({"Centre", "Room"})}

# Crossings the shell still makes, each to be removed by the issue that names it; a crossing
# not listed fails, and so does a listed one that is gone (take it off the list).
KNOWN_SHELL_CROSSINGS = frozenset(
    {
        # issue 10 item 3 (features contribute start-up work and commands through Feature):
        ("service.cli", "queues.retention.purge"),
        ("service.cli", "queues.simulate.main"),
        ("service.demo", "queues.models.CentreDay"),
        ("service.demo", "queues.models.RemoteJoin"),
        ("service.demo", "queues.links.link_token"),
        ("service.demo", "queues.links.token_digest"),
        ("service.demo", "queues.models.Ticket"),
        ("service.demo", "queues.numbering.ticket_number"),
        ("service.demo", "queues.ordering.Priority"),
        ("service.demo", "queues.states.TicketStatus"),
        ("service.demo", "rota.demo_load.load_demo_network"),
        ("service.migrations.env", "queues.retention.DailyCentreStats"),
    }
)


def _modules() -> Iterator[tuple[str, Path]]:
    for package in (*FEATURES, SHELL):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _imports(module: str, path: Path) -> Iterator[tuple[str, str | None]]:
    """(module imported, name taken from it or None) for every import, nested ones too."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield base, alias.name


def _target(imported: str, name: str | None) -> tuple[str, str | None]:
    """``from rota import reads`` names the module rota.reads, not a name in rota."""
    top = imported.split(".")[0]
    if name is not None and imported == top and top in FEATURES:
        return f"{top}.{name}", None
    return imported, name


def _allowed_in_feature(target: str, name: str | None) -> bool:
    if name is not None and name.startswith("_"):
        return False
    if target.endswith(".reads"):
        return True
    return name is not None and name in FOREIGN_KEY_TABLES.get(target, frozenset())


def _allowed_in_shell(module: str, target: str, name: str | None) -> bool:
    if name is not None and name.startswith("_"):
        return False
    if target.endswith(".feature"):
        return True
    if module == "service.migrations.env" and target.endswith(".models") and name is None:
        return True  # registers every table on the shared metadata
    return name is not None and name in FOREIGN_KEY_TABLES.get(target, frozenset())


def _crossings() -> Iterator[tuple[str, str, bool]]:
    """(importing module, what it imports, allowed) for imports between packages."""
    for module, path in _modules():
        home = module.split(".")[0]
        for imported, raw_name in _imports(module, path):
            target, name = _target(imported, raw_name)
            other = target.split(".")[0]
            if other not in FEATURES or other == home:
                continue
            shown = f"{target}.{name}" if name else target
            if home == SHELL:
                yield module, shown, _allowed_in_shell(module, target, name)
            else:
                yield module, shown, _allowed_in_feature(target, name)


def test_features_use_each_other_only_through_reads() -> None:
    crossings = list(_crossings())
    assert crossings, "no import between packages found: the walk is broken"
    refused = [
        f"{module} imports {what}"
        for module, what, allowed in crossings
        if not allowed and not module.startswith(f"{SHELL}.")
    ]
    assert refused == [], "use the other feature's reads module:\n" + "\n".join(refused)


def test_the_shell_knows_features_only_through_feature() -> None:
    crossings = list(_crossings())
    assert any(module == "service.app" and allowed for module, _, allowed in crossings)
    refused = {
        (module, what)
        for module, what, allowed in crossings
        if not allowed and module.startswith(f"{SHELL}.")
    }
    assert refused - KNOWN_SHELL_CROSSINGS == set(), "go through Feature"
    assert KNOWN_SHELL_CROSSINGS - refused == set(), "gone: take them off the list"


def test_the_border_rules_refuse_what_they_should() -> None:
    assert _allowed_in_feature("queues.reads", "waiting_counts")
    assert _allowed_in_feature("rota.models", "Centre")
    assert not _allowed_in_feature("rota.models", "Shift")
    assert not _allowed_in_feature("queues.handlers", "provide_centre")
    assert not _allowed_in_feature("queues.service", "public_ticket")
    assert not _allowed_in_feature("rota.reads", "_private")
    assert _target("rota", "reads") == ("rota.reads", None)
    assert not _allowed_in_shell("service.app", "queues.live", "EstimateCache")
    assert _allowed_in_shell("service.app", "queues.feature", "FEATURE")
