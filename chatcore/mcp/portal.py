"""One event loop for every MCP connection of the process, on a daemon thread.

Why our own thread rather than ``anyio.from_thread.start_blocking_portal()``: that one runs
on a non-daemon pool thread, and a process that forgets to close it never exits (measured:
``python`` hangs at shutdown). A daemon thread dies with the process, and the servers'
stdio pipes close with it.
"""

from __future__ import annotations

import threading

import anyio
from anyio.from_thread import BlockingPortal

_lock = threading.Lock()
_portal: BlockingPortal | None = None
_thread: threading.Thread | None = None


def shared_portal() -> BlockingPortal:
    """The process's portal: started on first use, then reused by every caller (thread-safe)."""
    global _portal, _thread
    with _lock:
        if _portal is None or _thread is None or not _thread.is_alive():  # first use, or it died
            ready = threading.Event()
            box: list[BlockingPortal] = []

            async def serve() -> None:
                async with BlockingPortal() as portal:
                    box.append(portal)
                    ready.set()
                    await portal.sleep_until_stopped()

            thread = threading.Thread(target=anyio.run, args=(serve,), name="mcp-portal", daemon=True)
            thread.start()
            ready.wait()
            _portal, _thread = box[0], thread
        return _portal


__all__ = ["shared_portal"]
