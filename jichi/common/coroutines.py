"""Running a library's coroutine from synchronous code, whatever thread we are on."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
_AWAY = ThreadPoolExecutor(max_workers=2, thread_name_prefix="jichi-coroutine")


def run(coroutine: Coroutine[object, object, T]) -> T:
    """The coroutine's result: on this thread, or on a helper thread if a loop already runs here.

    Libraries such as pyhanko wrap their async API in ``asyncio.run``, which fails
    under a running event loop (an async server, a browser test's driver); this
    runs the async API itself instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    return _AWAY.submit(asyncio.run, coroutine).result()
