"""Migration 0009 both ways: the wait alert threshold and the rooms' retirement."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.migrate import downgrade, upgrade
from tests.migrations import schema, scratch_database

pytestmark = pytest.mark.timeout(90)


def test_migration_0009_upgrades_and_downgrades(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        upgrade(url, "head")
        assert "wait_alert_minutes" in schema(url, "centre")[1]
        assert "retired_at" in schema(url, "room")[1]
        downgrade(url, "0010_rota_planning")
        assert "wait_alert_minutes" not in schema(url, "centre")[1]
        assert "retired_at" not in schema(url, "room")[1]
        upgrade(url, "head")
        assert "retired_at" in schema(url, "room")[1]
