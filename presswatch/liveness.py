"""Which process runs a crawl, and whether it is still alive: a crawl killed with `kill -9`
leaves its runs marked running, and the alerts it was gathering held, until someone notices."""

from __future__ import annotations

import os
import socket


def process_owner() -> str:
    """This process, as crawl runs record it: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_gone(owner: str | None) -> bool:
    """True when `owner` is a process of this host that no longer exists. A process on another
    host (a worker elsewhere), or an unknown owner, cannot be checked from here: False."""
    if not owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, as another user's
        return False
    return _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    """A process that has ended but was not reaped (its parent was killed too, and the
    machine's init does not reap): it still answers kill(pid, 0), yet it runs nothing.
    Linux only (/proc); elsewhere a process that answers counts as alive."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in ("Z", "X")
