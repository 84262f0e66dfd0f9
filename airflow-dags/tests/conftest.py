"""Test environment: a temporary AIRFLOW_HOME with a migrated SQLite database, the DAG folder of
this repository, an explicit spark_default connection (local[2], pyspark's spark-submit from the
repository's .venv) and the lakehouse Variables, all set before Airflow is imported."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "airflow-dags"
JAR = ROOT / "cli" / "target" / "lakehouse.jar"
PYSPARK_VENV = ROOT / ".venv"

WORK = Path(tempfile.mkdtemp(prefix="lakehouse-airflow-test-"))
AIRFLOW_HOME = WORK / "airflow-home"
AIRFLOW_HOME.mkdir()


def _spark_home() -> str:
    python = PYSPARK_VENV / "bin" / "python"
    if not python.exists():
        raise RuntimeError(f"{python} not found: run bin/setup --with-python")
    return subprocess.check_output(
        [str(python), "-c", "import os, pyspark; print(os.path.dirname(pyspark.__file__))"],
        text=True,
    ).strip()


def _spark_submit_on_path() -> str:
    """A directory holding only ``spark-submit`` (a link to pyspark's), so the Airflow venv's
    own Python stays first on PATH; the provider accepts only a binary name, found on PATH."""
    bin_dir = WORK / "spark-bin"
    bin_dir.mkdir()
    (bin_dir / "spark-submit").symlink_to(PYSPARK_VENV / "bin" / "spark-submit")
    return str(bin_dir)


os.environ.update(
    {
        "AIRFLOW_HOME": str(AIRFLOW_HOME),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_HOME / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://localhost:8080/execution/",
        "AIRFLOW_CONN_SPARK_DEFAULT": json.dumps(
            {"conn_type": "spark", "host": "local[2]", "extra": {"spark-binary": "spark-submit"}}
        ),
        "SPARK_HOME": _spark_home(),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "OMP_THREAD_LIMIT": "1",  # local mode: Tesseract runs in the driver, as bin/lakehouse sets
        "PATH": _spark_submit_on_path() + os.pathsep + os.environ["PATH"],
        "AIRFLOW_VAR_LAKEHOUSE_JAR": str(JAR),
        "AIRFLOW_VAR_LAKEHOUSE_JVM_OPTIONS_FILE": str(ROOT / "bin" / "jvm-options"),
        "AIRFLOW_VAR_LAKEHOUSE_SPARK_CONF": json.dumps(
            {
                "spark.ui.enabled": "false",
                "spark.log.level": "WARN",
                "spark.driver.memory": "1g",
                "spark.sql.shuffle.partitions": "2",
                "spark.default.parallelism": "2",
                "spark.databricks.delta.snapshotPartitions": "1",
            }
        ),
    }
)
sys.path.insert(0, str(DAGS))

_migrated = subprocess.run(
    [str(Path(sys.executable).parent / "airflow"), "db", "migrate"],
    capture_output=True,
    text=True,
)
if _migrated.returncode != 0:
    raise RuntimeError(f"airflow db migrate failed:\n{_migrated.stdout}\n{_migrated.stderr}")


def pytest_unconfigure(config):
    """Removes the temporary AIRFLOW_HOME, lakehouse and PACS (KEEP_AIRFLOW_TEST_DIR=1 keeps them)."""
    if os.environ.get("KEEP_AIRFLOW_TEST_DIR") != "1":
        shutil.rmtree(WORK, ignore_errors=True)
