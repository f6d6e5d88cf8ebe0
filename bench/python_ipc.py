"""The Python side of the Message passing section of `deno task bench` (bench/ipc.ts).

Run by bench/ipc.ts as `/usr/bin/python3 bench/python_ipc.py --short-trips N ...`; prints one
JSON object on stdout: microseconds per round trip of tutorial 003's exercise (two processes
send the packet `[i, None, 'hello']` back and forth) over a `Pipe` between two child
processes, over a `Pipe` between the main process and a child (the tutorial's shape), and
over two `Queue`s between two child processes; messages per second through a `Queue` from a
producer process to a consumer process and to the main process; MB/s of a large float64 array
through a `Pipe`. Uses the fork start method, the default on Linux. Times taken in different
processes come from `time.perf_counter`, which is CLOCK_MONOTONIC on Linux: one clock for
every process.
"""

import argparse
import array
import json
import math
import multiprocessing as mp
import platform
import statistics
import time

from _python_common import start_and_join

now = time.perf_counter
# Children still alive after this many seconds are killed.
JOIN_TIMEOUT_S = 120
TIMEOUT_S = 20.0
# `Queue.get()` is called without a timeout, as Python programs usually do: with one, each
# call costs about twice as much (it polls the pipe first). A hung child is killed by
# `start_and_join`.


def summary(samples, what="samples", high=False):
    """Median and best (the smallest, or with `high` the largest) of the valid samples."""
    samples = [s for s in samples if not math.isnan(s)]
    if not samples:
        raise RuntimeError(f"no valid {what}: every run failed or timed out")
    best = max(samples) if high else min(samples)
    return {"median": statistics.median(samples), "best": best, "samples": samples}


# --- 1. The exercise: a packet sent back and forth.


def check_reply(i, got):
    if not (isinstance(got, list) and got[0] == i and got[2] == "hello"):
        raise RuntimeError(f"round trip {i} brought back {got!r}")


def pipe_ping(conn, warm, runs, trips, results):
    """Per run: `warm` untimed round trips, then `trips` timed ones; µs per round trip."""
    for r in range(runs):
        for i in range(warm + trips):
            if i == warm:
                t0 = now()
            conn.send([i, None, "hello"])
            check_reply(i, conn.recv())
        results[r] = (now() - t0) * 1e6 / trips


def pipe_pong(conn, total):
    """Sends back every packet it receives, `total` of them."""
    for _ in range(total):
        conn.send(conn.recv())
    if conn.poll():
        raise RuntimeError("pong: a message beyond those sent")


def queue_ping(there, back, warm, runs, trips, results):
    for r in range(runs):
        for i in range(warm + trips):
            if i == warm:
                t0 = now()
            there.put([i, None, "hello"])
            check_reply(i, back.get())
        results[r] = (now() - t0) * 1e6 / trips


def queue_pong(there, back, total):
    for _ in range(total):
        back.put(there.get())


def bench_ping_pong(ctx, warm, trips, runs):
    """The three shapes, each in `runs` runs of `trips` round trips (one pair of processes
    per shape, warm for every run)."""
    total = runs * (warm + trips)
    out = {}

    # Two child processes over a Pipe.
    a, b = ctx.Pipe()
    results = ctx.Array("d", [math.nan] * runs, lock=False)
    start_and_join(
        [
            ctx.Process(target=pipe_ping, args=(a, warm, runs, trips, results)),
            ctx.Process(target=pipe_pong, args=(b, total)),
        ],
        JOIN_TIMEOUT_S,
    )
    out["pipeProcesses"] = summary(list(results), "Pipe ping-pong runs")

    # The main process and a child over a Pipe, as in the tutorial.
    a, b = ctx.Pipe()
    child = ctx.Process(target=pipe_pong, args=(b, total))
    child.start()
    samples = [math.nan] * runs
    try:
        pipe_ping(a, warm, runs, trips, samples)
    finally:
        child.join(TIMEOUT_S)
        if child.is_alive():
            child.kill()
            child.join()
    out["pipeMain"] = summary(samples, "Pipe ping-pong runs with the main process")

    # Two child processes over two Queues.
    there, back = ctx.Queue(), ctx.Queue()
    results = ctx.Array("d", [math.nan] * runs, lock=False)
    start_and_join(
        [
            ctx.Process(target=queue_ping, args=(there, back, warm, runs, trips, results)),
            ctx.Process(target=queue_pong, args=(there, back, total)),
        ],
        JOIN_TIMEOUT_S,
    )
    out["queueProcesses"] = summary(list(results), "Queue ping-pong runs")
    return out


# --- 2. Queue throughput.


def produce(queue, gate, n, stamps):
    if gate is not None:
        gate.wait(TIMEOUT_S)
    stamps[0] = now()
    put = queue.put
    for i in range(n):
        put(i)


def consume(queue, gate, n, stamps):
    gate.wait(TIMEOUT_S)
    get = queue.get
    for i in range(n):
        got = get()
        if got != i:
            raise RuntimeError(f"consumer: message {i} was {got!r}")
    stamps[1] = now()


def bench_throughput(ctx, n, runs):
    between, to_main = [], []
    for _ in range(runs):
        # Producer process -> consumer process.
        queue, gate = ctx.Queue(), ctx.Barrier(2)
        stamps = ctx.Array("d", [math.nan, math.nan], lock=False)
        ok = start_and_join(
            [
                ctx.Process(target=produce, args=(queue, gate, n, stamps)),
                ctx.Process(target=consume, args=(queue, gate, n, stamps)),
            ],
            JOIN_TIMEOUT_S,
        )
        between.append(n / (stamps[1] - stamps[0]) if ok else math.nan)

        # Producer process -> the main process (as anchors.md measured).
        queue = ctx.Queue()
        stamps = ctx.Array("d", [math.nan], lock=False)
        child = ctx.Process(target=produce, args=(queue, None, n, stamps))
        child.start()
        get = queue.get
        for i in range(n):
            got = get()
            if got != i:
                raise RuntimeError(f"main: message {i} was {got!r}")
        end = now()
        child.join(TIMEOUT_S)
        to_main.append(n / (end - stamps[0]))
    return {
        "ints": {"messages": n, "perSecond": summary(between, "throughput runs", high=True)},
        "toMain": {"messages": n, "perSecond": summary(to_main, "throughput runs", high=True)},
    }


# --- 3. A large message.


def big_array(length):
    try:
        import numpy

        return numpy.arange(length, dtype=numpy.float64)
    except ImportError:
        return array.array("d", range(length))


def send_big(conn, gate, length, stamps):
    data = big_array(length)
    gate.wait(TIMEOUT_S)
    stamps[0] = now()
    conn.send(data)


def recv_big(conn, gate, length, stamps):
    gate.wait(TIMEOUT_S)
    got = conn.recv()
    stamps[1] = now()
    if len(got) != length or got[length - 1] != length - 1:
        raise RuntimeError("receiver: wrong array")


def bench_big(ctx, nbytes, runs):
    length = nbytes // 8
    rates = []
    for _ in range(runs + 1):  # the first run warms up
        a, b = ctx.Pipe()
        gate = ctx.Barrier(2)
        stamps = ctx.Array("d", [math.nan, math.nan], lock=False)
        ok = start_and_join(
            [
                ctx.Process(target=send_big, args=(a, gate, length, stamps)),
                ctx.Process(target=recv_big, args=(b, gate, length, stamps)),
            ],
            JOIN_TIMEOUT_S,
        )
        rates.append(length * 8 / 2**20 / (stamps[1] - stamps[0]) if ok else math.nan)
    return {"bytes": length * 8, "mbPerSecond": summary(rates[1:], "large messages", high=True)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--short-trips", type=int, default=100)
    parser.add_argument("--short-repeats", type=int, default=15)
    parser.add_argument("--long-trips", type=int, default=10_000)
    parser.add_argument("--long-repeats", type=int, default=3)
    parser.add_argument("--warm-trips", type=int, default=1_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--throughput-repeats", type=int, default=2)
    parser.add_argument("--big-bytes", type=int, default=10 * 2**20)
    parser.add_argument("--big-repeats", type=int, default=5)
    args = parser.parse_args()
    ctx = mp.get_context("fork")
    short = bench_ping_pong(ctx, args.warm_trips, args.short_trips, args.short_repeats)
    long = bench_ping_pong(ctx, args.warm_trips, args.long_trips, args.long_repeats)
    out = {
        "python": platform.python_version(),
        "startMethod": "fork",
        "cpuCount": mp.cpu_count(),
    }
    for shape in ("pipeProcesses", "pipeMain", "queueProcesses"):
        out[shape] = {
            "short": {"trips": args.short_trips, "perTripUs": short[shape]},
            "long": {"trips": args.long_trips, "perTripUs": long[shape]},
        }
    out["throughput"] = bench_throughput(ctx, args.messages, args.throughput_repeats)
    out["big"] = bench_big(ctx, args.big_bytes, args.big_repeats)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
