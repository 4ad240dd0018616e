"""The production shape in compose.yaml: no Docker engine here, so check what can be checked."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_has_the_production_services_with_health_checks() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "app1", "app2", "proxy"} <= set(services)
    for name in ("postgres", "redis", "app1", "app2", "proxy"):
        assert "healthcheck" in services[name], name
    for replica in ("app1", "app2"):
        env = services[replica]["environment"]
        assert env["WALKIN_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert env["WALKIN_REDIS_URL"].startswith("redis://")


def test_compose_names_only_settings_the_service_reads() -> None:
    settings_source = (ROOT / "service" / "settings.py").read_text()
    named = set(re.findall(r"\b(WALKIN_[A-Z_]+)\b", (ROOT / "compose.yaml").read_text()))
    assert named, "compose.yaml configures nothing"
    for variable in named:
        assert f'"{variable}"' in settings_source, f"{variable} is not read by Settings"


def test_proxy_passes_websockets_to_both_replicas() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server app1:8000" in conf and "server app2:8000" in conf
    assert "proxy_set_header Upgrade $http_upgrade" in conf
    assert "proxy_http_version 1.1" in conf
