"""Migration 0015 (wait targets) both ways; the table it makes is the one the model maps."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast.models import WaitTargetRow
from service.migrate import downgrade, upgrade
from tests.migrations import schema, scratch_database

pytestmark = pytest.mark.timeout(60)


def test_migration_0015_upgrades_and_downgrades(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        upgrade(url, "0015_wait_targets")
        tables, columns = schema(url, "wait_target")
        assert columns == {c.name for c in WaitTargetRow.__table__.columns}
        downgrade(url, "0014_shift_offers")
        tables, _ = schema(url)
        assert "wait_target" not in tables and "shift_offer" in tables
        upgrade(url, "head")
        assert "wait_target" in schema(url)[0]
