"""Migration 0008 (accounts) both ways, on the tier's database."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.migrate import downgrade, upgrade
from tests.migrations import schema, scratch_database

pytestmark = pytest.mark.timeout(90)


def test_migration_0008_upgrades_and_downgrades(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        upgrade(url, "0008_accounts")
        tables, columns = schema(url, "staff_account")
        assert {"staff_account_centre", "account_setup"} <= tables
        assert {"last_login_at", "session_generation"} <= columns
        downgrade(url, "0007_audit_sqlite")
        tables, columns = schema(url, "staff_account")
        assert not {"staff_account_centre", "account_setup"} & tables
        assert "session_generation" not in columns
        upgrade(url, "head")
