"""The Python side of `deno task bench`: the same workloads with `multiprocessing.Pool`.

Run by bench/main.ts as `/usr/bin/python3 bench/python_pool.py --trials N ...`; prints one
JSON object with its timings (seconds for Pi, milliseconds for the rest, microseconds per
round trip) on stdout. Uses the fork start method, the default on Linux.
"""

import argparse
import json
import multiprocessing as mp
import platform
import random
import statistics
import time


def hit_count(trials):
    """Tutorial 003's compute_pi: random points of the unit square inside the quarter circle."""
    hits = 0
    for _ in range(trials):
        x = random.random()
        y = random.random()
        if x * x + y * y < 1.0:
            hits += 1
    return hits


def power10(x):
    """The trivial task: x ** 10."""
    return x ** 10


def split(total, parts):
    """`total` trials cut into `parts` near-equal parts."""
    each = total // parts
    return [each] * (parts - 1) + [total - each * (parts - 1)]


def summary(samples):
    return {"median": statistics.median(samples), "best": min(samples), "samples": samples}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20_000_000)
    parser.add_argument("--map-size", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--starts", type=int, default=7)
    parser.add_argument("--applies", type=int, default=2_000)
    parser.add_argument("--apply-rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pi-repeats", type=int, default=1)
    args = parser.parse_args()
    ctx = mp.get_context("fork")
    workers = args.workers
    now = time.perf_counter
    out = {
        "python": platform.python_version(),
        "startMethod": "fork",
        "workers": workers,
        "cpuCount": mp.cpu_count(),
    }

    # a. Monte Carlo Pi.
    parts = split(args.trials, workers)
    serial, included, excluded = [], [], []
    warm = ctx.Pool(workers)
    warm.map(hit_count, [1] * workers, 1)
    # The three variants take turns, so that a noisy neighbour slows them alike.
    for _ in range(args.pi_repeats):
        t0 = now()
        hits = hit_count(args.trials)
        serial.append(now() - t0)

        t0 = now()
        hits = sum(warm.map(hit_count, parts))
        excluded.append(now() - t0)

        t0 = now()
        pool = ctx.Pool(workers)
        hits = sum(pool.map(hit_count, parts))
        included.append(now() - t0)
        pool.terminate()
        pool.join()
    warm.terminate()
    warm.join()
    out["pi"] = {
        "trials": args.trials,
        "estimate": 4.0 * hits / args.trials,
        "serialS": summary(serial),
        "poolIncludedS": summary(included),
        "poolExcludedS": summary(excluded),
    }

    # b. Trivial map: x ** 10 over floats (JavaScript numbers are doubles).
    xs = [float(i) for i in range(args.map_size)]
    serial, pooled = [], []
    with ctx.Pool(workers) as pool:
        pool.map(power10, xs)  # warm-up
        for _ in range(args.repeats):
            t0 = now()
            list(map(power10, xs))
            serial.append((now() - t0) * 1e3)
            t0 = now()
            pool.map(power10, xs)
            pooled.append((now() - t0) * 1e3)
    out["trivialMap"] = {
        "n": args.map_size,
        "serialMs": summary(serial),
        "poolMs": summary(pooled),
    }

    # c. Start-up to the first result.
    starts = []
    for _ in range(args.starts):
        t0 = now()
        pool = ctx.Pool(workers)
        pool.apply(power10, (1.0,))
        starts.append((now() - t0) * 1e3)
        pool.terminate()
        pool.join()
    out["startMs"] = summary(starts)

    # d. Sequential apply round trip.
    with ctx.Pool(workers) as pool:
        for i in range(2000):  # warm-up, as many as ours (bench/_util.ts SEQUENTIAL_WARMUP)
            pool.apply(power10, (float(i),))
        # Timed in rounds, the median per call reported, as ours.
        per_round = max(1, args.applies // args.apply_rounds)
        rounds = []
        for _ in range(args.apply_rounds):
            t0 = now()
            for i in range(per_round):
                pool.apply(power10, (float(i),))
            rounds.append((now() - t0) / per_round * 1e6)
    out["apply"] = {
        "calls": per_round * args.apply_rounds,
        "perCallUs": summary(rounds)["median"],
    }

    print(json.dumps(out))


if __name__ == "__main__":
    main()
