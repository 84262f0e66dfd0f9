"""Site settings of the lakehouse DAGs: Airflow Variables with documented defaults.

Read when a task runs (never at DAG parse time), so changing a Variable needs no redeploy.
Defaults live under ``$AIRFLOW_HOME`` so that nothing points at a path of one machine; every
key is listed in docs/airflow.md.
"""

from __future__ import annotations

import json
import os

CLI_CLASS = "org.imaginglakehouse.cli.LakehouseCli"


def _airflow_home() -> str:
    return os.environ.get("AIRFLOW_HOME", os.path.expanduser("~/airflow"))


def _defaults() -> dict[str, str]:
    home = _airflow_home()
    return {
        # lakehouse --home: local path or s3a://bucket/prefix
        "lakehouse_home": os.path.join(home, "lakehouse-data"),
        # lakehouse --config FILE (pseudonym mapping, S3, job options); empty = none
        "lakehouse_config": "",
        # the CLI's shaded jar (cli/target/lakehouse.jar)
        "lakehouse_jar": os.path.join(home, "lakehouse", "lakehouse.jar"),
        # JVM flags of the driver and executors (bin/jvm-options); empty = <jar dir>/jvm-options
        "lakehouse_jvm_options_file": "",
        # Airflow connection of the Spark cluster (master, deploy mode, spark-binary)
        "lakehouse_spark_conn_id": "spark_default",
        # extra Spark settings, JSON object, e.g. {"spark.executor.memory": "8g"}
        "lakehouse_spark_conf": "{}",
        # where feeds land (see lakehouse_airflow.feeds)
        "lakehouse_landing": os.path.join(home, "lakehouse-landing"),
        # datasets linked after promote, JSON list of {"dataset": ..., "source": ...}
        "lakehouse_link_datasets": "[]",
        # how long a cohort must stay reproducible (docs/cohorts.md): VACUUM keeps this much
        "lakehouse_cohort_retention_days": "365",
        # directory of project configurations; the extract DAG's profile P reads <dir>/P.yaml
        "lakehouse_project_configs": os.path.join(home, "lakehouse-projects"),
    }


def keys() -> list[str]:
    """Every setting's Variable name."""
    return list(_defaults())


def default(key: str) -> str:
    """The documented default of a setting."""
    return _defaults()[key]


def get(key: str) -> str:
    """A setting: its Airflow Variable if set, else the default."""
    from airflow.sdk import Variable

    value = Variable.get(key, default=None)
    return default(key) if value is None or str(value).strip() == "" else str(value).strip()


def get_json(key: str):
    """A JSON setting, parsed; the error names the Variable to fix."""
    raw = get(key)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise ValueError(f"Airflow Variable {key} is not valid JSON ({e.msg}): fix its value") from e


def jvm_options(jar: str, options_file: str) -> str:
    """The JVM flags for driver and executors, one line per flag in the file, ``#`` comments.

    An absent default file means no flags (a cluster image may set them itself); a file named
    explicitly must exist.
    """
    path = options_file or os.path.join(os.path.dirname(jar), "jvm-options")
    if not os.path.isfile(path):
        if options_file:
            raise FileNotFoundError(
                f"JVM options file {path} (Airflow Variable lakehouse_jvm_options_file) not found"
            )
        return ""
    with open(path, encoding="utf-8") as f:
        flags = [line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")]
    return " ".join(flags)
