"""Starting the crawl's processes without running the program's main module again in each.

They start with "spawn" (a fresh interpreter: nothing of the parent's threads or locks comes
along). Spawn runs the starting program's main module again in the new process, as
`__mp_main__`, in case an object defined there is sent to it. presswatch sends its processes
only objects of its own modules, and the main module is the `presswatch` command (its command
line: a fifth of a second of imports) or a benchmark script: the crawl process and every
extraction worker paid for it before their first page. Spawn leaves out a main module whose
spec is named `__main__` (as it does for `python -m`); while a process starts, a main module
without a spec is given that one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.machinery import ModuleSpec


@contextmanager
def main_module_left_out() -> Iterator[None]:
    """Around `Process.start()`: the new process does not run the main module again."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        yield  # run as `python -m`, or embedded: spawn leaves it out already
        return
    main.__spec__ = ModuleSpec("__main__", None)
    try:
        yield
    finally:
        main.__spec__ = None
