"""Every DAG file imports in a real Airflow, with the expected tasks, edges, schedules and assets."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import DAGS, ROOT

sys.path.insert(0, str(DAGS / "tools"))
import dag_graph  # noqa: E402
from lakehouse_airflow.sensors import ReadyFeedSensor  # noqa: E402


@pytest.fixture(scope="module")
def bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def edges(dag) -> set[tuple[str, str]]:
    return {(t.task_id, d) for t in dag.tasks for d in t.downstream_task_ids}


def test_every_dag_file_imports_and_nothing_else_is_a_dag(bag):
    assert bag.import_errors == {}
    assert sorted(bag.dag_ids) == sorted(dag_graph.DAG_IDS)


def test_pacs_feed_waits_for_a_feed_ingests_it_and_publishes_the_instances(bag):
    dag = bag.dags["pacs_feed"]
    assert str(dag.schedule) == "@continuous"
    assert dag.max_active_runs == 1
    assert edges(dag) == {
        ("wait_for_feed", "claim_feeds"),
        ("claim_feeds", "ingest"),
        ("claim_feeds", "mark_ingested"),
        ("ingest", "mark_ingested"),
    }
    assert isinstance(dag.get_task("wait_for_feed"), ReadyFeedSensor)
    assert [a.uri for a in dag.get_task("ingest").outlets] == ["lakehouse://identifiable/instances"]


def test_inventory_runs_on_the_instances_asset_pixel_jobs_then_promote_then_links(bag):
    dag = bag.dags["inventory"]
    assert [a.uri for a in dag_graph._schedule_assets(dag)] == ["lakehouse://identifiable/instances"]
    assert edges(dag) == {
        ("features", "promote"),
        ("ocr", "promote"),
        ("promote", "link"),
        ("link_datasets", "link"),
        ("link", "publish_inventory"),
    }
    assert dag.get_task("link").is_mapped
    assert [a.uri for a in dag.get_task("publish_inventory").outlets] == [
        "lakehouse://deidentified/inventory"
    ]


def test_project_extract_is_manual_with_its_params_and_no_release_task(bag):
    dag = bag.dags["project_extract"]
    assert dag.schedule is None
    assert set(dag.params.keys()) == {"project", "cohort", "profile"}
    assert edges(dag) == {
        ("job_args", "extract"),
        ("job_args", "verify"),
        ("extract", "verify"),
        ("verify", "verification_clean"),
        ("verification_clean", "notify"),
    }
    assert not any("release" in t.task_id for t in dag.tasks)


def test_maintenance_optimizes_and_vacuums_every_zone_weekly(bag):
    dag = bag.dags["maintenance"]
    assert dag.schedule == "0 3 * * 0"
    assert edges(dag) == {
        ("retain_hours", "optimize_identifiable"),
        ("optimize_identifiable", "optimize_deidentified"),
        ("optimize_deidentified", "optimize_projects"),
    }
    for zone in ("identifiable", "deidentified", "projects"):
        args = dag.get_task(f"optimize_{zone}").lakehouse_args
        assert args[:3] == ["--zone", zone, "--vacuum"] and args[3] == "--retain-hours"
        # The job enforces the cohort-retention rule itself (docs/deployment.md, "Maintenance").
        assert args[5] == "--cohort-retention-days" and "// 24" in args[6]


def test_the_committed_graph_picture_is_drawn_from_todays_dags(bag):
    committed = ROOT / "docs" / "airflow-dags.dot"
    expected = dag_graph.dot({d: bag.dags[d] for d in dag_graph.DAG_IDS})
    assert committed.read_text(encoding="utf-8") == expected, (
        "docs/airflow-dags.dot is out of date: run "
        ".venv-airflow/bin/python airflow-dags/tools/dag_graph.py docs/airflow-dags"
    )
    assert (ROOT / "docs" / "airflow-dags.png").stat().st_size > 0
