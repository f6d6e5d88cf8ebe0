"""The Python side of the MPI section of the benchmark (bench/mpi.ts): mpi4py's buffer API.

Run by bench/mpi.ts as `mpirun -n 2 /usr/bin/python3 bench/python_mpi.py --rounds N ...`.
Ranks 0 and 1 ping-pong a numpy float64 array with `comm.Send`/`comm.Recv`: 8 bytes (one
float64) for the latency, 1 MB (131,072 float64s) for the bandwidth, in `--runs` timed runs
after a warm-up of three runs' worth of round trips. Rank 0 prints one JSON object: the samples of the one-way latency in
microseconds (half a round trip) and of the bandwidth in MB/s (10^6 bytes per second; one
way, half a round trip); and the one-way time of a small object (`[0, None, "hello"]`) through
the pickled API, `comm.send`/`comm.recv`. The same measurement as bench/mpi.ts, step for step.
"""

import argparse
import json

import numpy as np
from mpi4py import MPI


def pingpong(comm, buf, rounds):
    """Seconds per round trip of `buf` between ranks 0 and 1."""
    rank = comm.Get_rank()
    comm.Barrier()
    start = MPI.Wtime()
    if rank == 0:
        for _ in range(rounds):
            comm.Send(buf, dest=1, tag=1)
            comm.Recv(buf, source=1, tag=1)
    elif rank == 1:
        for _ in range(rounds):
            comm.Recv(buf, source=0, tag=1)
            comm.Send(buf, dest=0, tag=1)
    return (MPI.Wtime() - start) / rounds


def pingpong_obj(comm, obj, rounds):
    """Seconds per round trip of a small Python object (mpi4py's pickled API)."""
    rank = comm.Get_rank()
    comm.Barrier()
    start = MPI.Wtime()
    if rank == 0:
        for _ in range(rounds):
            comm.send(obj, dest=1, tag=1)
            obj = comm.recv(source=1, tag=1)
    elif rank == 1:
        for _ in range(rounds):
            obj = comm.recv(source=0, tag=1)
            comm.send(obj, dest=0, tag=1)
    return (MPI.Wtime() - start) / rounds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20000)
    parser.add_argument("--big-rounds", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    comm = MPI.COMM_WORLD
    small = np.zeros(1, dtype=np.float64)
    big = np.zeros(131072, dtype=np.float64)
    packet = [0, None, "hello"]
    latency, bandwidth, objects = [], [], []
    # As bench/mpi.ts: one kind after the other, each warmed up with three runs' worth.
    pingpong(comm, small, 3 * args.rounds)
    for _ in range(args.runs):
        latency.append(pingpong(comm, small, args.rounds) / 2 * 1e6)
    pingpong(comm, big, 3 * args.big_rounds)
    for _ in range(args.runs):
        bandwidth.append(big.nbytes / (pingpong(comm, big, args.big_rounds) / 2) / 1e6)
    pingpong_obj(comm, packet, 3 * args.rounds)
    for _ in range(args.runs):
        objects.append(pingpong_obj(comm, packet, args.rounds) / 2 * 1e6)
    if comm.Get_rank() == 0:
        print(json.dumps({
            "mpi4py": __import__("mpi4py").__version__,
            "latencyUs": latency,
            "bandwidthMBs": bandwidth,
            "valueLatencyUs": objects,
        }))


main()
