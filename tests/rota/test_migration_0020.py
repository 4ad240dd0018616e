"""Migration 0020 (solve runs) both ways; the table it makes is the one the model maps."""

from __future__ import annotations

from pathlib import Path

import pytest

from rota.models import SolveRun
from service.migrate import downgrade, upgrade
from tests.migrations import schema, scratch_database

pytestmark = pytest.mark.timeout(60)


def test_migration_0020_upgrades_and_downgrades(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        upgrade(url, "0020_solve_runs")
        _, columns = schema(url, "rota_solve_run")
        assert columns == {c.name for c in SolveRun.__table__.columns}
        downgrade(url, "0015_wait_targets")
        assert "rota_solve_run" not in schema(url)[0]
        upgrade(url, "head")
        assert "rota_solve_run" in schema(url)[0]
