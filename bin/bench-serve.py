"""Load of `lakehouse serve` (bin/bench-serve runs this): N client sessions, each in its own thread
with its own Spark Connect session, run a small aggregate in a loop for a fixed time; prints one
line of JSON with sessions, queries, queries/s and latency percentiles (ms), and fails if any
query failed or a session never answered.

Usage: bench-serve.py URL SESSIONS SECONDS
"""
import json
import sys
import threading
import time

from pyspark.sql import SparkSession

QUERY = "SELECT Modality, count(*) AS n FROM deidentified.series GROUP BY Modality"

url, sessions, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
latencies = [[] for _ in range(sessions)]
errors = []
start_line = threading.Barrier(sessions + 1)


def run(i):
    spark = SparkSession.builder.remote(url).create()
    spark.sql(QUERY).collect()  # warm: session creation and first plan are not measured
    start_line.wait()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        t = time.monotonic()
        try:
            rows = spark.sql(QUERY).collect()
            if not rows:
                raise RuntimeError("no rows")
        except Exception as e:  # noqa: BLE001 - counted and reported
            errors.append(str(e).splitlines()[0][:200])
            continue
        latencies[i].append((time.monotonic() - t) * 1000)
    spark.release_session() if hasattr(spark, "release_session") else spark.stop()


threads = [threading.Thread(target=run, args=(i,)) for i in range(sessions)]
for t in threads:
    t.start()
start_line.wait()
began = time.monotonic()
for t in threads:
    t.join()
elapsed = time.monotonic() - began
every = sorted(x for per in latencies for x in per)


def pct(p):
    return round(every[min(len(every) - 1, int(p / 100 * len(every)))], 1) if every else None


print(json.dumps({
    "sessions": sessions,
    "seconds": round(elapsed, 1),
    "queries": len(every),
    "queries_per_s": round(len(every) / elapsed, 2),
    "p50_ms": pct(50),
    "p95_ms": pct(95),
    "max_ms": round(every[-1], 1) if every else None,
    "min_queries_per_session": min(len(per) for per in latencies),
    "errors": len(errors),
}))
if errors or min(len(per) for per in latencies) == 0:
    print("errors:", errors[:5], file=sys.stderr)
    sys.exit(1)
