"""The sim_bench speed model written in SimPy, as a yardstick for rollsim.

Poisson arrivals at a rate that loads 8 single-server instances to about
0.7; each instance has its own FIFO queue and a request goes to the
least-loaded instance (in service plus waiting, ties to the lowest index),
as in rollsim; lognormal service (median 10 ms, sigma 0.5); 1% Bernoulli
errors; every 10 s a window closes with its request and error counts and
its p50/p95/p99 by nearest rank. Idiomatic SimPy: one process per request.

Prints `simpy_requests_per_s VALUE req/s`: responses completed per second
of wall time, the best of a few repetitions of a fixed simulated duration.
Needs SimPy 3 or later (`import simpy`; Debian: python3-simpy3).
"""

import argparse
import math
import random
import time

import simpy

SERVICE_MEDIAN_MS = 10.0
SERVICE_SIGMA = 0.5
ERROR_FRAC = 0.01
TARGET_UTIL_FRAC = 0.7
INSTANCES = 8
WINDOW_S = 10.0

# Mean of the lognormal, median * exp(sigma^2 / 2); lambda = rho * c / E[S].
SERVICE_MEAN_S = SERVICE_MEDIAN_MS * math.exp(SERVICE_SIGMA ** 2 / 2) / 1e3
RATE_RPS = TARGET_UTIL_FRAC * INSTANCES / SERVICE_MEAN_S


def nearest_rank(sorted_xs, q):
    """The ceil(q * n)-th smallest sample."""
    return sorted_xs[max(0, math.ceil(q * len(sorted_xs)) - 1)]


class Stats:
    def __init__(self):
        self.latencies_s = []     # this window's
        self.errors = 0           # this window's
        self.requests = 0         # since the start
        self.windows = []         # (requests, errors, p50, p95, p99), s

    def record(self, latency_s, fails):
        self.latencies_s.append(latency_s)
        self.errors += fails
        self.requests += 1

    def close_window(self):
        xs = sorted(self.latencies_s)
        if xs:
            p = (nearest_rank(xs, 0.50), nearest_rank(xs, 0.95),
                 nearest_rank(xs, 0.99))
        else:
            p = (math.nan, math.nan, math.nan)
        self.windows.append((len(xs), self.errors) + p)
        self.latencies_s = []
        self.errors = 0


def request(env, server, service_s, fails, stats):
    arrival = env.now
    with server.request() as slot:
        yield slot
        yield env.timeout(service_s)
    stats.record(env.now - arrival, fails)


def arrivals(env, servers, rng, stats):
    mu = math.log(SERVICE_MEDIAN_MS / 1e3)
    while True:
        yield env.timeout(rng.expovariate(RATE_RPS))
        service_s = rng.lognormvariate(mu, SERVICE_SIGMA)
        fails = rng.random() < ERROR_FRAC
        server = min(servers, key=lambda r: r.count + len(r.queue))
        env.process(request(env, server, service_s, fails, stats))


def windows(env, stats):
    while True:
        yield env.timeout(WINDOW_S)
        stats.close_window()


def run_once(sim_s, seed):
    """Returns (responses completed, wall seconds) for sim_s simulated s."""
    env = simpy.Environment()
    servers = [simpy.Resource(env, capacity=1) for _ in range(INSTANCES)]
    stats = Stats()
    env.process(arrivals(env, servers, random.Random(seed), stats))
    env.process(windows(env, stats))
    t0 = time.perf_counter()
    env.run(until=sim_s)
    return stats.requests, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sim-seconds", type=float, default=800.0,
                    help="simulated time of one repetition, s")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    rates = []
    for _ in range(args.reps):
        n, wall = run_once(args.sim_seconds, seed=1)
        rates.append(n / wall)
    rates.sort()
    print("simpy_requests_per_s %.4g req/s (best of %d, %.0f s simulated, "
          "SimPy %s)" % (rates[-1], args.reps, args.sim_seconds,
                         simpy.__version__))
    print("simpy_requests_per_s_median %.4g req/s" % rates[len(rates) // 2])


if __name__ == "__main__":
    main()
