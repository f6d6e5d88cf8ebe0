"""The Python side of the "joblib Parallel" section of `deno task bench`.

Run by bench/parallel.ts as `/usr/bin/python3 bench/python_parallel.py --calls N ...`; prints
one JSON object on stdout with its timings in milliseconds, or `{"skipped": why}` when joblib is
missing. joblib's default backend (loky) keeps its workers in a process-wide executor that later
calls reuse; a "first call" sample shuts that executor down beforehand, so the call starts its
workers as a fresh `Parallel(n_jobs=2)` call in a new program does.
"""

import argparse
import json
import platform
import statistics
import time


def square(x):
    """The trivial task: the tutorial's f."""
    return x * x


def summary(samples):
    return {"median": statistics.median(samples), "best": min(samples), "samples": samples}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--first-repeats", type=int, default=5)
    parser.add_argument("--reused-repeats", type=int, default=9)
    args = parser.parse_args()
    try:
        import joblib
        from joblib import Parallel, delayed
        from joblib.externals.loky import reusable_executor
    except ImportError as error:
        print(json.dumps({"skipped": f"joblib cannot be imported ({error})"}))
        return

    n, workers = args.calls, args.workers
    now = time.perf_counter
    expected = [square(x) for x in range(n)]

    def stop_workers():
        executor = reusable_executor._executor
        if executor is not None:
            executor.shutdown(wait=True, kill_workers=True)
            reusable_executor._executor = None

    def check(out):
        if out != expected:
            raise AssertionError("joblib's results differ from the serial ones")

    serial = []
    for _ in range(args.reused_repeats):
        t0 = now()
        [square(x) for x in range(n)]
        serial.append((now() - t0) * 1e3)

    first = []
    for _ in range(args.first_repeats):
        stop_workers()
        t0 = now()
        out = Parallel(n_jobs=workers)(delayed(square)(x) for x in range(n))
        first.append((now() - t0) * 1e3)
        check(out)

    reused = []
    with Parallel(n_jobs=workers) as parallel:
        check(parallel(delayed(square)(x) for x in range(n)))
        for _ in range(args.reused_repeats):
            t0 = now()
            out = parallel(delayed(square)(x) for x in range(n))
            reused.append((now() - t0) * 1e3)
            check(out)
    stop_workers()

    print(json.dumps({
        "python": platform.python_version(),
        "joblib": joblib.__version__,
        "backend": "loky",
        "calls": n,
        "workers": workers,
        "serialMs": summary(serial),
        "firstMs": summary(first),
        "reusedMs": summary(reused),
    }))


if __name__ == "__main__":
    main()
