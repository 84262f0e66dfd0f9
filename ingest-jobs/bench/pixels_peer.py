"""Peer of the ingest benchmark: the method Databricks Pixels uses to catalogue DICOM files.

Lists the files with Spark's binaryFile source (content not read), runs a row-at-a-time Python
UDF per file that calls pydicom.dcmread(path, defer_size=1000, stop_before_pixels=True) and
json.dumps(ds.to_json_dict()), and writes path, size, modification time and the JSON header as
one Parquet table. Written for bin/bench-ingest-real (which makes the venv: pyspark, pydicom);
not a copy of Pixels' code, only its method.

Prints one line `peer: {...}` with the job's own time (from the first Spark call after the
session is up to the end of the write) and the number of rows written.
"""

import argparse
import json
import sys
import time
from urllib.parse import unquote, urlparse


def dicom_meta(path):
    """The header of one file as DICOM JSON, or an error object (one row per file either way)."""
    import pydicom

    local = unquote(urlparse(path).path) if path.startswith("file:") else path
    try:
        ds = pydicom.dcmread(local, defer_size=1000, stop_before_pixels=True)
        return json.dumps(ds.to_json_dict())
    except Exception as e:  # noqa: BLE001 - a bad file is a row with its error, as in Pixels
        return json.dumps({"error": type(e).__name__ + ": " + str(e)})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="directory of DICOM files (recursive)")
    parser.add_argument("--out", required=True, help="Parquet table to (over)write")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    started = time.time()
    spark = (
        SparkSession.builder.master(args.master)
        .appName("pixels-method-peer")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    session = time.time() - started

    t0 = time.time()
    meta = F.udf(dicom_meta, StringType())
    files = (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .option("pathGlobFilter", "*.dcm")
        .load(args.source)
        .drop("content")
    )
    files.withColumn("meta", meta(F.col("path"))).write.mode("overwrite").parquet(args.out)
    job = time.time() - t0

    rows = spark.read.parquet(args.out)
    written = rows.count()
    errors = rows.where(F.col("meta").startswith('{"error"')).count()
    print(
        "peer: "
        + json.dumps(
            {
                "session_s": round(session, 2),
                "job_s": round(job, 2),
                "rows": written,
                "errors": errors,
                "data_files": len(rows.inputFiles()),
            }
        ),
        flush=True,
    )
    spark.stop()
    # Unreadable files are rows with their error (junk in a PACS copy is expected), not a failure.
    return 0 if written > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
