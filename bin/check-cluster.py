"""Helpers of bin/check-cluster, run by pyspark's spark-submit with lakehouse.jar on --jars.

  upload LOCAL_DIR TARGET_URI    copy a local directory to a Hadoop URI (s3a://) through S3A
  hashes HOME OUT_JSON PREFIX=TOKEN... [-- HOME OUT_JSON PREFIX=TOKEN...]
                                 a content hash per Delta table under HOME (every zone), written
                                 as JSON {table: {"rows": n, "sha256": h, "excluded": [...]}};
                                 several homes in one process (one JVM start, one cold Delta)

A table's hash is order-independent: each row becomes the JSON of its columns (keys sorted at
every level, the columns below dropped), every PREFIX in it (the PACS root, the home; in the
order given) is replaced by its TOKEN, the rows' SHA-256 digests are sorted and hashed together.
Duplicated rows count.
"""

import hashlib
import json
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

# Columns whose values differ between two correct runs of the same pipeline on the same input
# (docs/deployment.md lists them too). Run ids: a fresh id per job run (AbstractJob) and the
# columns that copy it. Times: when a job wrote or decided something (the wall clock).
RUN_IDS = {"run_id", "ingest_run_id", "verify_run_id", "last_rerun_run_id"}
RUN_TIMES = {"recorded_at", "processed_time", "ingest_time", "last_rerun_at", "updated_at",
             "created_at", "written_at", "verified_at", "released_at", "indexed_at",
             "decided_at"}
# Values derived from the copy of the PACS read, which differs by design (S3 objects uploaded
# from the local files): the file's modification time (S3: the upload time), and promote's change
# key, xxhash64 over file_checksum, file_path and ingest_time.
SOURCE_COPY = {"file_modified", "source_hash"}
# Durations a job measured (milliseconds per file).
DURATIONS = {"decode_ms", "ocr_ms"}
# extraction_status: SHA-256 of VERIFIED.sha256, which lists metadata.parquet's SHA-256; that file's
# footer is not byte-reproducible across JVMs (bin/check-cluster compares it by content).
EXTRACTION_STATUS = {"verified_list_sha256"}
# In <zone>.job_runs: when the run started and ended and how long its phases took. Kept: job,
# status, options (paths normalised), counts, error, lakehouse_version, run_by.
JOB_RUNS_TIMES = {"started_at", "ended_at", "duration_ms", "timings_ms"}


def session():
    return SparkSession.builder.getOrCreate()


def hadoop_path(spark, uri):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path, path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())


def upload(spark, local, target):
    path, fs = hadoop_path(spark, target)
    jvm = spark.sparkContext._jvm
    fs.copyFromLocalFile(False, True, jvm.org.apache.hadoop.fs.Path("file://" + local), path)


def delta_tables(spark, home):
    """(name, uri) of every Delta table under home's zones (projects one level deeper)."""
    found = []
    root, fs = hadoop_path(spark, home)
    jpath = spark.sparkContext._jvm.org.apache.hadoop.fs.Path

    def walk(path, name, depth):
        if not fs.exists(path):
            return
        for status in fs.listStatus(path):
            if not status.isDirectory():
                continue
            child = status.getPath()
            child_name = name + "." + child.getName() if name else child.getName()
            if fs.exists(jpath(child, "_delta_log")):
                found.append((child_name, child.toString()))
            elif depth > 0:
                walk(child, child_name, depth - 1)

    walk(root, "", 2)
    return sorted(found)


def stable_json(df, excluded):
    kept = sorted((f for f in df.schema.fields if f.name not in excluded), key=lambda f: f.name)
    columns = [
        F.base64(F.col(f.name)).alias(f.name) if f.dataType.typeName() == "binary" else F.col(f.name)
        for f in kept
    ]
    return df.select(F.to_json(F.struct(*columns)).alias("j")), [f.name for f in kept]


def hashes(spark, home, out, replacements):
    result = {}
    for name, uri in delta_tables(spark, home):
        df = spark.read.format("delta").load(uri)
        table = name.split(".")[-1]
        excluded = RUN_IDS | RUN_TIMES | SOURCE_COPY | DURATIONS
        excluded |= JOB_RUNS_TIMES if table == "job_runs" else set()
        excluded |= EXTRACTION_STATUS if table == "extraction_status" else set()
        rows, cols = stable_json(df, excluded)
        text = F.col("j")
        for prefix, token in replacements:
            text = F.replace(text, F.lit(prefix), F.lit(token))
        # Keys sorted at every level: a map's entries come in insertion order (job_runs counts).
        texts = sorted(
            json.dumps(json.loads(r[0]), sort_keys=True, ensure_ascii=False)
            for r in rows.select(text).collect())
        digests = sorted(hashlib.sha256(t.encode()).hexdigest() for t in texts)
        # The normalised rows, to see what differs when a hash does.
        with open(f"{out}.{name}.jsonl", "w", encoding="utf-8") as f:
            f.writelines(t + "\n" for t in texts)
        result[name] = {
            "rows": len(digests),
            "sha256": hashlib.sha256("\n".join(digests).encode()).hexdigest(),
            "excluded": sorted(set(df.columns) - set(cols)),
        }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, sort_keys=True)


def main(argv):
    spark = session()
    if argv[0] == "upload":
        upload(spark, argv[1], argv[2])
    elif argv[0] == "hashes":
        groups = [[]]
        for arg in argv[1:]:
            groups.append([]) if arg == "--" else groups[-1].append(arg)
        for home, out, *prefixes in groups:
            hashes(spark, home, out, [p.split("=", 1) for p in prefixes])
    else:
        raise SystemExit("usage: upload LOCAL URI | hashes HOME OUT PREFIX=TOKEN... [-- HOME ...]")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
