"""Running a coroutine from synchronous code, with and without a loop running on the thread."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from jichi.common import coroutines


async def _where():
    await asyncio.sleep(0)
    return threading.current_thread().name


def _on_a_fresh_thread(call):
    with ThreadPoolExecutor(1, thread_name_prefix="fresh") as pool:
        return pool.submit(call).result()


def test_without_a_running_loop_it_runs_here():
    assert _on_a_fresh_thread(lambda: coroutines.run(_where())).startswith("fresh")


def test_under_a_running_loop_it_runs_on_a_helper_thread():
    async def caller():
        return coroutines.run(_where())

    assert _on_a_fresh_thread(lambda: asyncio.run(caller())).startswith("jichi-coroutine")
