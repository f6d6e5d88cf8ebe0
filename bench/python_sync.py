"""The Python side of the Synchronisation section of `deno task bench` (bench/sync.ts).

Run by bench/sync.ts as `/usr/bin/python3 bench/python_sync.py --lock-iters N ...`; prints one
JSON object on stdout: nanoseconds per uncontended acquire + release, milliseconds for the
locked increments, microseconds for wake-ups and ping-pong round trips. Uses the fork start
method, the default on Linux. Times taken in different processes come from
`time.perf_counter`, which is CLOCK_MONOTONIC on Linux: one clock for every process.
"""

import argparse
import json
import math
import multiprocessing as mp
import platform
import statistics
import time

from _python_common import start_and_join

now = time.perf_counter
# Children still alive after this many seconds are killed.
JOIN_TIMEOUT_S = 60
TIMEOUT_S = 10.0


def summary(samples, what="samples"):
    """Median and best of the samples that are numbers (a timed-out round is NaN)."""
    samples = [s for s in samples if not math.isnan(s)]
    if not samples:
        raise RuntimeError(f"no valid {what}: every round failed or timed out")
    return {"median": statistics.median(samples), "best": min(samples), "samples": samples}


# --- 1. Uncontended acquire + release, in this process.


def pairs(lock, n):
    """ns per `acquire(); release()`, loop included; the bound methods are looked up once
    (Python's fastest form: `lock.acquire()` in the loop adds ~15 ns, `with lock:` ~130 ns)."""
    acquire, release = lock.acquire, lock.release
    t0 = now()
    for _ in range(n):
        acquire()
        release()
    return (now() - t0) * 1e9 / n


def bench_uncontended(ctx, iters, rounds):
    lock, rlock = ctx.Lock(), ctx.RLock()
    pairs(lock, iters)  # warm-up
    pairs(rlock, iters)
    locks, rlocks = [], []
    for _ in range(rounds):
        locks.append(pairs(lock, iters))
        rlocks.append(pairs(rlock, iters))
    return {"lockNs": summary(locks), "rlockNs": summary(rlocks)}


# --- 2. Locked increments of a Value('i') by several processes.


def incrementer(value, raw, n, gate, spans, slot):
    """`n` increments under `value.get_lock()`, after `gate` when given; notes start and end.

    With `raw`, the increment goes to `value.get_obj()`: the `.value` of a synchronized Value
    takes its lock on every read and write, so with a plain `Lock` (not re-entrant)
    `with v.get_lock(): v.value += 1` deadlocks in Python.
    """
    if gate is not None:
        gate.wait(TIMEOUT_S)
    lock = value.get_lock()
    target = value.get_obj() if raw else value
    t0 = now()
    for _ in range(n):
        with lock:
            target.value += 1
    t1 = now()
    if spans is not None:
        spans[2 * slot] = t0
        spans[2 * slot + 1] = t1


def bench_increments(ctx, workers, n, repeats):
    total = workers * n
    makers = {
        "rlock": lambda: ctx.Value("i", 0),
        "lock": lambda: ctx.Value("i", 0, lock=ctx.Lock()),
    }
    out = {kind: {"included": [], "gated": [], "wrong": []} for kind in makers}

    def verify(kind, value, what, r, ok):
        # Read without the lock: a child that failed may have left it held.
        final = value.get_obj().value
        if not ok or final != total:
            out[kind]["wrong"].append(
                f"{'RLock' if kind == 'rlock' else 'Lock'} {what} run {r + 1}: "
                f"{final} instead of {total}" + ("" if ok else " (a child failed or hung)")
            )

    # The variants take turns, so that a noisy neighbour slows them alike.
    for r in range(repeats):
        for kind, make in makers.items():
            raw = kind == "lock"
            value = make()
            t0 = now()
            ok = start_and_join(
                [
                    ctx.Process(target=incrementer, args=(value, raw, n, None, None, i))
                    for i in range(workers)
                ],
                JOIN_TIMEOUT_S,
            )
            out[kind]["included"].append((now() - t0) * 1e3)
            verify(kind, value, "process start included", r, ok)

            value = make()
            gate = ctx.Barrier(workers)
            spans = ctx.Array("d", 2 * workers, lock=False)
            ok = start_and_join(
                [
                    ctx.Process(target=incrementer, args=(value, raw, n, gate, spans, i))
                    for i in range(workers)
                ],
                JOIN_TIMEOUT_S,
            )
            first = min(spans[2 * i] for i in range(workers))
            last = max(spans[2 * i + 1] for i in range(workers))
            out[kind]["gated"].append((last - first) * 1e3)
            verify(kind, value, "timed inside, after a Barrier", r, ok)
    return {
        kind: {
            "includedMs": summary(o["included"]),
            "gatedMs": summary(o["gated"]),
            "wrongCounts": o["wrong"],
        }
        for kind, o in out.items()
    }


# --- 3. Event wake-ups and ping-pong.


def waiter(events, readies, woke):
    """Per round: says it is ready, sleeps in `wait()`, notes when it woke."""
    for r, (event, ready) in enumerate(zip(events, readies)):
        ready.set()
        woke[r] = now() if event.wait(TIMEOUT_S) else math.nan


def setter(events, readies, set_at, pause):
    """Per round: waits until the waiter is ready, pauses so that it sleeps, notes, sets."""
    for r, (event, ready) in enumerate(zip(events, readies)):
        if not ready.wait(TIMEOUT_S):
            set_at[r] = math.nan
            continue
        time.sleep(pause)
        set_at[r] = now()
        event.set()


def ping_pong(role, ping, pong, gate, n, result):
    gate.wait(TIMEOUT_S)
    if role == "pong":
        for _ in range(n):
            ping.wait(TIMEOUT_S)
            ping.clear()
            pong.set()
        return
    t0 = now()
    for _ in range(n):
        ping.set()
        pong.wait(TIMEOUT_S)
        pong.clear()
    result.value = (now() - t0) * 1e6 / n


def bench_wake(ctx, rounds, pause, ping_pongs):
    def latencies(set_at, woke):
        return [(w - s) * 1e6 for s, w in zip(set_at, woke)]

    # (a) The main process wakes a sleeping child.
    events = [ctx.Event() for _ in range(rounds)]
    readies = [ctx.Event() for _ in range(rounds)]
    woke = ctx.Array("d", rounds, lock=False)
    woke[:] = [math.nan] * rounds
    child = ctx.Process(target=waiter, args=(events, readies, woke))
    child.start()
    set_at = []
    for event, ready in zip(events, readies):
        if not ready.wait(TIMEOUT_S):
            set_at.append(math.nan)
            continue
        time.sleep(pause)
        set_at.append(now())
        event.set()
    child.join(60)
    if child.is_alive():
        child.kill()
        child.join()
    from_main = latencies(set_at, woke)

    # (b) A child wakes another, sleeping.
    events = [ctx.Event() for _ in range(rounds)]
    readies = [ctx.Event() for _ in range(rounds)]
    woke = ctx.Array("d", rounds, lock=False)
    set_at = ctx.Array("d", rounds, lock=False)
    woke[:] = [math.nan] * rounds
    start_and_join(
        [
            ctx.Process(target=waiter, args=(events, readies, woke)),
            ctx.Process(target=setter, args=(events, readies, set_at, pause)),
        ],
        JOIN_TIMEOUT_S,
    )
    from_process = latencies(set_at, woke)

    # (c) Ping-pong between two children over two events.
    ping, pong, gate = ctx.Event(), ctx.Event(), ctx.Barrier(2)
    result = ctx.Value("d", math.nan, lock=False)
    start_and_join(
        [
            ctx.Process(target=ping_pong, args=(role, ping, pong, gate, ping_pongs, result))
            for role in ("ping", "pong")
        ],
        120,
    )
    return {
        "fromMainUs": summary(from_main, "wake-ups from the main process"),
        "fromProcessUs": summary(from_process, "wake-ups from a process"),
        "pingPongUs": summary([result.value], "ping-pong runs"),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lock-iters", type=int, default=200_000)
    parser.add_argument("--lock-rounds", type=int, default=9)
    parser.add_argument("--increments", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--wake-rounds", type=int, default=30)
    parser.add_argument("--wake-pause-ms", type=float, default=3)
    parser.add_argument("--ping-pongs", type=int, default=2_000)
    args = parser.parse_args()
    ctx = mp.get_context("fork")
    out = {
        "python": platform.python_version(),
        "startMethod": "fork",
        "workers": args.workers,
        "cpuCount": mp.cpu_count(),
    }
    out["uncontended"] = bench_uncontended(ctx, args.lock_iters, args.lock_rounds)
    out["increments"] = bench_increments(ctx, args.workers, args.increments, args.repeats)
    out["wake"] = bench_wake(ctx, args.wake_rounds, args.wake_pause_ms / 1e3, args.ping_pongs)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
