"""Executors for heavy loops: in-process, local processes, or a Dask distributed cluster.

Work is split into a fixed number of chunks, each with its own seed spawned from the user's
seed (``numpy.random.SeedSequence.spawn``), so results do not depend on how many workers run it.

``--executor`` accepts ``local`` (processes, ``--workers N``), ``dask:local`` (a LocalCluster
started for the job) or ``dask://HOST:PORT`` (an existing scheduler).

Example:
    >>> with open_executor(workers=1) as ex:
    ...     list(ex.map(abs, [-1, -2]))
    [1, 2]
    >>> [s.entropy == 0 for s in chunk_seeds(0, 2)]
    [True, True]
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

import numpy as np

from hurwicz.core.errors import ParameterError


class InlineExecutor(Executor):
    """Runs every task in the calling process, in order (``--workers 1``).

    Example:
        >>> InlineExecutor().submit(pow, 2, 3).result()
        8
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:
            future.set_exception(err)
        return future


def chunk_seeds(seed: int | None, chunks: int) -> list[np.random.SeedSequence]:
    """One independent seed sequence per chunk, fixed by ``seed`` and the chunk index.

    Example:
        >>> a, b = chunk_seeds(7, 2)
        >>> a.spawn_key, b.spawn_key
        ((0,), (1,))
    """
    return np.random.SeedSequence(seed).spawn(chunks)


def split(total: int, chunk_size: int) -> list[int]:
    """Sizes of fixed chunks covering ``total`` items.

    Example:
        >>> split(10, 4)
        [4, 4, 2]
    """
    if total <= 0:
        return []
    sizes = [chunk_size] * (total // chunk_size)
    if total % chunk_size:
        sizes.append(total % chunk_size)
    return sizes


@contextlib.contextmanager
def open_executor(workers: int | None = 1, executor: str | None = None) -> Iterator[Executor]:
    """Open the executor named by ``executor`` (default: local processes with ``workers``).

    Example:
        >>> with open_executor(workers=1) as ex:
        ...     ex.submit(len, "abc").result()
        3
    """
    spec = (executor or "local").strip()
    if spec == "local":
        if workers is None or workers <= 1:
            yield InlineExecutor()
            return
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
        return
    if spec.startswith("dask"):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - depends on the extra
            raise ParameterError(
                "executor", "Dask is not installed: pip install 'hurwicz[dask]'"
            ) from None
        if spec == "dask:local":
            n = max(1, workers or 2)
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                yield client.get_executor()
            return
        if spec.startswith("dask://"):
            address = "tcp://" + spec[len("dask://"):]
            with Client(address) as client:
                yield client.get_executor()
            return
    raise ParameterError("executor", f"unknown executor {spec!r} "
                         "(use local, dask:local or dask://HOST:PORT)")


def map_chunks(
    fn: Callable[..., Any], arguments: Sequence[tuple[Any, ...]], executor: Executor,
    done: Callable[[int], None] | None = None,
) -> list[Any]:
    """Run ``fn(*args)`` for every argument tuple on ``executor``; results in input order.
    ``done(i)`` is called once chunk ``i`` has finished (in order), for progress bars.

    Example:
        >>> map_chunks(pow, [(2, 2), (3, 2)], InlineExecutor(), done=print)
        0
        1
        [4, 9]
    """
    if isinstance(executor, InlineExecutor):  # one chunk at a time, so that done() is timely
        results = []
        for i, args in enumerate(arguments):
            results.append(executor.submit(fn, *args).result())
            if done is not None:
                done(i)
        return results
    futures = [executor.submit(fn, *args) for args in arguments]
    results = []
    for i, future in enumerate(futures):
        results.append(future.result())
        if done is not None:
            done(i)
    return results
