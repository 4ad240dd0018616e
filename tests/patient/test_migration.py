"""Migration 0011 (the patient's phone) upgrades and downgrades, and gives the models' tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.migrate import downgrade, upgrade
from tests.migrations import schema, scratch_database

pytestmark = pytest.mark.timeout(90)


def test_migration_0011_upgrades_and_downgrades(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        upgrade(url, "head")
        tables, ticket = schema(url, "ticket")
        assert {"notification_outbox", "notification_delivery", "remote_join"} <= tables
        assert {"link_hash", "remote", "notify_ahead", "push_subscription"} <= ticket
        downgrade(url, "0007_audit_sqlite")
        tables, ticket = schema(url, "ticket")
        assert "notification_outbox" not in tables and "link_hash" not in ticket
        upgrade(url, "head")
