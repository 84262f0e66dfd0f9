"""LakehouseJobOperator without Spark: its command line from the Variables, and its refusal to
run without the Spark connection (the provider would submit to YARN)."""

from __future__ import annotations

import copy

import pytest

from conftest import ROOT


def test_the_command_line_comes_from_the_variables(monkeypatch, tmp_path):
    from lakehouse_airflow.operators import LakehouseJobOperator

    monkeypatch.setenv("AIRFLOW_VAR_LAKEHOUSE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AIRFLOW_VAR_LAKEHOUSE_CONFIG", str(tmp_path / "lakehouse.yaml"))
    monkeypatch.setenv("AIRFLOW_VAR_LAKEHOUSE_SPARK_CONF", '{"spark.executor.memory": "2g"}')
    op = LakehouseJobOperator(task_id="t", subcommand="promote", lakehouse_args=["--full"])
    op._configure()
    assert op.application_args == [
        "--home", str(tmp_path / "home"), "--config", str(tmp_path / "lakehouse.yaml"),
        "promote", "--full",
    ]
    assert op._java_class == "org.imaginglakehouse.cli.LakehouseCli"
    assert op.conf["spark.executor.memory"] == "2g"
    flags = op.conf["spark.driver.extraJavaOptions"]
    assert "--add-opens=java.base/java.lang=ALL-UNNAMED" in flags and "#" not in flags
    assert op.conf["spark.executorEnv.OMP_THREAD_LIMIT"] == "1"
    hook = op._get_hook()
    assert hook._connection["master"] == "local[2]"
    assert (ROOT / "bin" / "jvm-options").is_file()


def test_a_missing_spark_connection_is_refused_not_replaced_by_yarn(monkeypatch):
    from airflow.providers.common.compat.sdk import AirflowException

    from lakehouse_airflow.operators import LakehouseJobOperator

    monkeypatch.setenv("AIRFLOW_VAR_LAKEHOUSE_SPARK_CONN_ID", "spark_nowhere")
    op = LakehouseJobOperator(task_id="t", subcommand="promote")
    op._configure()
    with pytest.raises(AirflowException, match="spark_nowhere.*not defined"):
        op._get_hook()


def test_project_extract_refuses_a_project_name_that_is_not_an_identifier():
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk.exceptions import ParamValidationError

    from conftest import DAGS

    dag = DagBag(dag_folder=str(DAGS)).dags["project_extract"]
    good = copy.deepcopy(dag.params)
    good["project"], good["cohort"] = "p1", "c1"
    assert good.validate()["profile"] == ""
    bad = copy.deepcopy(dag.params)
    with pytest.raises(ParamValidationError):  # on assignment or on validation
        bad["project"], bad["cohort"] = "p1; rm -rf /", "c1"
        bad.validate()
