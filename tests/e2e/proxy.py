"""Debian's nginx in front of several ``streamlit run`` replicas, as the README's recipe says.

The config (written to a temporary folder) is the README's: websocket upgrade for
``/_stcore/stream``, ``ip_hash`` affinity, no buffering, long read timeouts; plus test
plumbing: loopback ports, its own pid/log/temp paths, and the current user. A replica that
refuses connections is marked failed (``max_fails=1``) and its visitors go to the next one.
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from .harness import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONFIG = """\
{user}worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;

    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}

    upstream chat {{
        ip_hash;  # session affinity: Streamlit's websocket session lives in one replica
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://chat;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;          # the websocket at /_stcore/stream
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_buffering off;                              # stream as it comes
            proxy_read_timeout 1h;                            # an idle chat keeps its websocket
            proxy_send_timeout 1h;
            proxy_connect_timeout 2s;
            proxy_next_upstream error timeout http_502 http_503;
        }}
    }}
}}
"""


def nginx_missing_reason() -> str | None:
    if not os.path.exists(NGINX):
        return "nginx is missing: install Debian's nginx (`make system-packages`)"
    return None


class NginxProxy:
    def __init__(self, upstream_ports: list[int]) -> None:
        self.upstream_ports = upstream_ports
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="chat-nginx-"))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=60s;" for p in self.upstream_ports)
        user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""  # workers as us, not nobody
        return CONFIG.format(user=user, root=self.root, servers=servers, port=self.port)

    def start(self, timeout: float = 20.0) -> NginxProxy:
        conf = self.root / "nginx.conf"
        conf.write_text(self.config())
        self.proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(self.root)], stdout=subprocess.DEVNULL,
                                     stderr=open(self.root / "stderr.log", "wb"), start_new_session=True)  # noqa: SIM115
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not proxy /_stcore/health within {timeout} s: {self.log()}")

    def log(self) -> str:
        parts = []
        for name in ("stderr.log", "error.log"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> NginxProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
