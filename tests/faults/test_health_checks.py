"""The deployment: readiness health checks (issue 11, fault 2), Secure cookies (item 12)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent


def test_compose_health_checks_ask_for_readiness() -> None:
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    for name in ("app1", "app2", "proxy"):
        assert "/health/ready" in " ".join(services[name]["healthcheck"]["test"]), name


def test_the_proxy_moves_on_from_a_replica_that_cannot_serve() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_next_upstream error timeout http_502 http_503;" in conf


def test_compose_marks_cookies_secure() -> None:
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    for name in ("app1", "app2"):
        assert services[name]["environment"]["WALKIN_SECURE_COOKIES"].endswith(":-true}")
