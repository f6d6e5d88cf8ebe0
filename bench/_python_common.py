"""Helpers shared by the Python side of the benchmarks (imported from this folder)."""

import time


def start_and_join(procs, timeout):
    """Starts the processes, joins them; kills those still alive after `timeout` seconds.

    Returns whether every one exited cleanly."""
    for p in procs:
        p.start()
    deadline = time.perf_counter() + timeout
    for p in procs:
        p.join(max(0.0, deadline - time.perf_counter()))
    hung = [p for p in procs if p.is_alive()]
    for p in hung:
        p.kill()
        p.join()
    return not hung and all(p.exitcode == 0 for p in procs)
