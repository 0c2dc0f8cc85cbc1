"""A throwaway PostgreSQL server for the store's tests, from Debian's binaries.

``initdb`` + ``pg_ctl`` in a temporary folder, on a free localhost port, with durability
off (the data is thrown away). PostgreSQL refuses to run as root, so under root the server
runs as the ``postgres`` user (or ``nobody``) in a folder that user owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class CannotRun(Exception):
    """PostgreSQL cannot run on this machine (the tests that need it are skipped, saying why)."""


def find_bin_dir() -> Path:
    dirs = glob.glob("/usr/lib/postgresql/*/bin")
    dirs = [d for d in dirs if os.path.exists(os.path.join(d, "initdb")) and os.path.exists(os.path.join(d, "pg_ctl"))]
    if not dirs:
        raise CannotRun("PostgreSQL binaries not installed (apt-get install -y postgresql)")

    def version(d: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", d))

    return Path(max(dirs, key=version))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int
    user: str | None  # run as this user (we are root), or None: as ourselves

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if done.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace") if (self.root / "server.log").exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{log[-3000:]}")

    @classmethod
    def start(cls) -> PostgresServer:
        bin_dir = find_bin_dir()
        user = None
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                raise CannotRun("running as root and `runuser` is missing: cannot start PostgreSQL as another user")
            user = next((u for u in ("postgres", "nobody") if _user_exists(u)), None)
            if user is None:
                raise CannotRun("running as root and there is no `postgres` or `nobody` user to run PostgreSQL as")
        root = Path(tempfile.mkdtemp(prefix="chatstore-pg-"))  # under /tmp: a path the other user can reach
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        server = cls(bin_dir=bin_dir, root=root, port=free_port(), user=user)
        try:
            server._run("initdb", "-D", str(server.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
            options = (
                f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            server._run("pg_ctl", "-D", str(server.data), "-l", str(root / "server.log"), "-o", options, "-w", "-t", "60", "start")
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return server

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=30)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
