"""Settings read from environment variables, with safe defaults for the embedded mode."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path("var")


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in os.environ.get(name, "").split(",") if part.strip())


def _persistent_secret(data_dir: Path) -> str:
    """A secret kept in the data directory, so sessions survive a restart in embedded mode."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


SQLITE_PREFIX = "sqlite+aiosqlite:///"


def _private_sqlite_file(database_url: str) -> None:
    """Create the embedded database file readable by its owner only (it holds patient labels,
    phones and password hashes), and tighten one created world-readable before.

    SQLite gives its -wal and -shm files the database file's permissions, so creating the file
    ourselves with 0600 covers them; ones left by an older version are tightened too.
    """
    if not database_url.startswith(SQLITE_PREFIX):
        return
    path = Path(database_url.removeprefix(SQLITE_PREFIX).split("?")[0])
    if not path.name or path.name == ":memory:" or not path.parent.is_dir():
        return  # nothing to create here; SQLite itself will say what is wrong
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            companion.chmod(0o600)


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    secret_key: str
    demo: bool
    session_max_age_s: int = 12 * 3600
    # A session unused this long ends (a reception tablet left signed in overnight).
    session_idle_s: int = 2 * 3600
    # The retention period of patient data (initials, phone), in days.
    retention_days: int = 30
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto we believe (IP addresses or CIDR
    # networks). Empty: the peer address is the client, whatever the headers say.
    trusted_proxies: tuple[str, ...] = ()
    # Mark the session cookie Secure: set it when the service is reached over https only.
    secure_cookies: bool = False
    # Bodies of JSON requests are small; anything larger is refused with 413.
    max_body_bytes: int = 64 * 1024
    # Check-ins per signed-in session per minute, and public board reads per client per minute.
    checkin_per_minute: int = 60
    public_per_minute: int = 120
    # Redis pub/sub channels are shared by every database number of a server: deployments
    # (and test runs) sharing one Redis need their own prefix.
    channel_prefix: str = "walkin"
    # WebSocket feeds: live connections per display token and per staff session (a screen
    # needs one, a reconnecting one two; staff open a few pages), and the largest frame a
    # client may send (its messages are small JSON).
    feeds_per_display_token: int = 3
    feeds_per_staff_session: int = 10
    ws_max_frame_bytes: int = 4096
    # Bearer token of Prometheus scrapes (service/metrics.py); unset: loopback only.
    metrics_token: str | None = None
    # Where the embedded database, the secrets and the local message file live (None: an app
    # built in a test, which keeps nothing on disk).
    data_dir: Path | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("WALKIN_DATA_DIR", str(DEFAULT_DATA_DIR)))
        database_url = os.environ.get("WALKIN_DATABASE_URL") or (
            f"sqlite+aiosqlite:///{data_dir / 'walkin.sqlite3'}"
        )
        if database_url.startswith("sqlite"):
            data_dir.mkdir(parents=True, exist_ok=True)
            _private_sqlite_file(database_url)
        redis_url = os.environ.get("WALKIN_REDIS_URL") or None
        secret_key = os.environ.get("WALKIN_SECRET_KEY") or _persistent_secret(data_dir)
        # Demo data is the embedded default; a production database must ask for it.
        demo = _env_bool("WALKIN_DEMO", default=database_url.startswith("sqlite"))
        return cls(
            database_url=database_url,
            redis_url=redis_url,
            secret_key=secret_key,
            demo=demo,
            session_max_age_s=int(os.environ.get("WALKIN_SESSION_MAX_AGE_S", 12 * 3600)),
            session_idle_s=int(os.environ.get("WALKIN_SESSION_IDLE_S", 2 * 3600)),
            retention_days=int(os.environ.get("WALKIN_RETENTION_DAYS", 30)),
            trusted_proxies=_env_list("WALKIN_TRUSTED_PROXIES"),
            secure_cookies=_env_bool("WALKIN_SECURE_COOKIES", default=False),
            max_body_bytes=int(os.environ.get("WALKIN_MAX_BODY_BYTES", 64 * 1024)),
            checkin_per_minute=int(os.environ.get("WALKIN_CHECKIN_PER_MINUTE", 60)),
            public_per_minute=int(os.environ.get("WALKIN_PUBLIC_PER_MINUTE", 120)),
            channel_prefix=os.environ.get("WALKIN_CHANNEL_PREFIX") or "walkin",
            feeds_per_display_token=int(os.environ.get("WALKIN_FEEDS_PER_DISPLAY_TOKEN", 3)),
            feeds_per_staff_session=int(os.environ.get("WALKIN_FEEDS_PER_STAFF_SESSION", 10)),
            ws_max_frame_bytes=int(os.environ.get("WALKIN_WS_MAX_FRAME_BYTES", 4096)),
            metrics_token=os.environ.get("WALKIN_METRICS_TOKEN") or None,
            data_dir=data_dir,
        )
