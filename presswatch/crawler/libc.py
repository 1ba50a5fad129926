"""What the crawl's processes ask of the C library on Linux (elsewhere: nothing)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# buffers this large or larger get pages of their own, given back to the system when freed
_LARGE_BUFFER = 128 * 1024


def _libc() -> ctypes.CDLL | None:
    if sys.platform != "linux":
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def die_with_parent() -> None:
    """Linux: the kernel kills this process when the process that started it ends, killed
    included (a killed crawl process leaves no extraction worker behind). Elsewhere the
    worker ends when it next reads its task pipe."""
    libc = _libc()
    if libc is None:  # no libc to ask: the pipe still ends the worker
        return
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before prctl: nobody to work for
        os._exit(0)


def give_back_large_buffers() -> None:
    """glibc: every buffer of 128 KiB or more gets its own pages, returned to the system
    when it is freed. The crawl process holds each page it downloads (often more than
    128 KiB) for a moment; by default glibc raises that threshold after the first such
    buffers are freed and serves later ones from its heap, which then keeps the high-water
    mark of every page ever held at once (tens of MB after a thousand real pages)."""
    libc = _libc()
    if libc is None:
        return
    libc.mallopt(_M_MMAP_THRESHOLD, _LARGE_BUFFER)
    libc.mallopt(_M_TRIM_THRESHOLD, _LARGE_BUFFER)
