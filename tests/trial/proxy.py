"""Debian's nginx in front of local replicas, with the repository's own deploy/nginx.conf."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.display.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def adapt(conf: str, listen_port: int, upstream_ports: list[int]) -> str:
    """deploy/nginx.conf with compose's names and port swapped for loopback ones, nothing else
    (each swap must hit exactly once, so a changed file fails here instead of testing less)."""
    swaps = [("listen 80;", f"listen 127.0.0.1:{listen_port};")]
    swaps += [(f"server app{n}:8000", f"server 127.0.0.1:{port}") for n, port in
              enumerate(upstream_ports, start=1)]  # fmt: skip
    for old, new in swaps:
        if conf.count(old) != 1:
            raise AssertionError(f"deploy/nginx.conf no longer has exactly one {old!r}")
        conf = conf.replace(old, new)
    return conf


class Nginx:
    def __init__(self, workdir: Path, upstream_ports: list[int]) -> None:
        self.port = free_port()
        self.workdir = workdir
        # The master runs as root here and its workers as nobody: they write proxy buffers.
        workdir.mkdir(parents=True, exist_ok=True)
        workdir.chmod(0o777)
        site = workdir / "walkin.conf"
        site.write_text(adapt((ROOT / "deploy" / "nginx.conf").read_text(), self.port,
                              upstream_ports))  # fmt: skip
        # The http{} block around the site, as Debian's nginx.conf and the nginx image give it.
        (workdir / "nginx.conf").write_text(
            f"""worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    include {site};
}}
"""
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.workdir), "-e", str(self.workdir / "error.log"),
             "-c", str(self.workdir / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.workdir / "error.log").read_text(errors="replace")
                raise RuntimeError(f"nginx exited: {log[-2000:]}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("nginx did not listen")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None
