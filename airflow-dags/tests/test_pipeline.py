"""The DAGs run end to end in a real Airflow (``dag.test()``), through spark-submit with local[2],
on a small synthetic PACS split into three feeds: A (ready), B (marked ready later), C (never
marked). The checks read the Delta tables back through the CLI and compare with the ground truth.

The stages share one lakehouse and run in file order; each asserts the DAG run's state, since
``dag.test()`` does not raise when a task fails.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DAGS, JAR, ROOT, WORK

PACS = WORK / "pacs"
LANDING = WORK / "landing"
HOME = WORK / "lakehouse"
FEEDS = ("feed-a", "feed-b", "feed-c")
INSTANCE_JUNK = (None, "MISSING_PREAMBLE", "DUPLICATE_SOP_INSTANCE_UID")  # parsed as instances


def lakehouse(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LAKEHOUSE_JAVA_OPTS": "-Xmx1g"}
    return subprocess.run(
        [str(ROOT / "bin" / "lakehouse"), *args], capture_output=True, text=True, env=env
    )


def sql(query: str, zone: str | None = None) -> list[dict]:
    zones = ["--zone", zone] if zone else []
    done = lakehouse("--home", str(HOME), "sql", "--format", "csv", *zones, query)
    assert done.returncode == 0, done.stderr[-3000:]
    return list(csv.DictReader(io.StringIO(done.stdout)))


@pytest.fixture(scope="module")
def truth() -> dict:
    """Synthesises the PACS and lands it as three feeds split by study folder; returns, per
    feed, its files and the SOP instance UIDs ingest must keep."""
    assert JAR.is_file(), f"{JAR} missing: build it (bin/lakehouse version)"
    done = lakehouse(
        "synth", "--out", str(PACS), "--patients", "4", "--seed", "3",
        "--pixel-size", "tiny", "--images-scale", "0.05", "--threads", "1",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    entries = [json.loads(line) for line in (PACS / "ground-truth" / "files.jsonl").open()]
    folders = sorted({os.path.dirname(e["path"]) for e in entries})
    third = len(folders) // 3
    feed_of = {f: FEEDS[min(i // third, 2)] for i, f in enumerate(folders)}
    out = {feed: {"files": 0, "uids": set(), "junk": 0} for feed in FEEDS}
    for e in entries:
        feed = feed_of[os.path.dirname(e["path"])]
        target = LANDING / feed / e["path"]  # <landing>/<feed>/dicom/YYYY/MM/DD/ACC/file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PACS / e["path"], target)
        out[feed]["files"] += 1
        if e["junkKind"] in INSTANCE_JUNK:
            out[feed]["uids"].add(e["sopInstanceUid"])
        if e["junkKind"] in ("ZERO_LENGTH", "RANDOM_BYTES", "TEXT_FILE", "TRUNCATED"):
            out[feed]["junk"] += 1
    assert out["feed-a"]["junk"] > 0, "feed A must hold a junk file for the exit-3 check"
    assert all(out[f]["files"] for f in FEEDS)
    (LANDING / "feed-a" / "_READY").write_text("")
    out["expected"] = json.loads((PACS / "ground-truth" / "expected.json").read_text())
    return out


@pytest.fixture(autouse=True)
def variables(monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_LAKEHOUSE_HOME", str(HOME))
    monkeypatch.setenv("AIRFLOW_VAR_LAKEHOUSE_LANDING", str(LANDING))
    config = WORK / "lakehouse.yaml"
    config.write_text(
        "pseudonym:\n  source: csv\n"
        f"  location: {PACS / 'linked' / 'chi_eupi.csv'}\n"
    )
    monkeypatch.setenv("AIRFLOW_VAR_LAKEHOUSE_CONFIG", str(config))
    monkeypatch.setenv(
        "AIRFLOW_VAR_LAKEHOUSE_LINK_DATASETS",
        json.dumps(
            [
                {"dataset": "smr06", "source": str(PACS / "linked" / "smr06.csv")},
                {"dataset": "prescribing", "source": str(PACS / "linked" / "prescribing.csv")},
            ]
        ),
    )


@pytest.fixture(scope="module")
def bag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    return bag


def run(dag, params: dict | None = None):
    """``dag.test()`` (``params`` as the run's conf); returns the run and its task states by task
    id (mapped: a list)."""
    dag_run = dag.test(run_conf=params)
    states: dict = {}
    for ti in dag_run.get_task_instances():
        if ti.map_index >= 0:
            states.setdefault(ti.task_id, []).append(ti.state)
        else:
            states[ti.task_id] = ti.state
    return dag_run, states


def asset_events(uri: str) -> int:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import func, select

    with create_session() as session:
        return session.scalar(
            select(func.count())
            .select_from(AssetEvent)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetModel.uri == uri)
        )


def test_1_feed_a_is_ingested_with_quarantined_junk_and_the_inventory_follows(bag, truth):
    dag_run, states = run(bag.dags["pacs_feed"])
    assert dag_run.state == "success", states
    record = json.loads((LANDING / "feed-a" / "_INGESTED").read_text())
    assert record["exit_code"] == 3  # junk quarantined: visible, not a failure
    assert record["counts"]["inputs"] == truth["feed-a"]["files"]
    assert record["counts"]["rejected"] > 0
    assert not (LANDING / "feed-a" / "_READY").exists()
    assert asset_events("lakehouse://identifiable/instances") == 1

    dag_run, states = run(bag.dags["inventory"])
    assert dag_run.state == "success", states
    assert states["link"] == ["success", "success"]
    assert asset_events("lakehouse://deidentified/inventory") == 1

    row = sql(
        "SELECT (SELECT count(*) FROM identifiable.instances) AS instances,"
        " (SELECT count(DISTINCT SOPInstanceUID) FROM identifiable.instances) AS uids,"
        " (SELECT count(*) FROM identifiable.file_index WHERE file_path LIKE '%/feed-c/%') AS feed_c,"
        " (SELECT count(*) FROM deidentified.image) AS images,"
        " (SELECT coalesce(sum(instances), 0) FROM deidentified.promotion_rejection_counts) AS rejected,"
        " (SELECT count(*) FROM deidentified.prescribing) AS prescribing",
        zone="identifiable,deidentified",
    )[0]
    expected = truth["feed-a"]["uids"]
    assert int(row["instances"]) == int(row["uids"]) == len(expected)
    assert int(row["feed_c"]) == 0
    # every ingested instance is in the inventory or counted as rejected, with a reason
    assert int(row["images"]) + int(row["rejected"]) == len(expected)
    assert int(row["images"]) > 0
    assert int(row["prescribing"]) == truth["expected"]["counts"]["prescribing_rows"]


def test_2_a_second_feed_is_ingested_incrementally_and_an_unmarked_one_is_not(bag, truth):
    (LANDING / "feed-b" / "_READY").write_text("")
    dag_run, states = run(bag.dags["pacs_feed"])
    assert dag_run.state == "success", states
    record = json.loads((LANDING / "feed-b" / "_INGESTED").read_text())
    assert record["counts"]["inputs"] == truth["feed-b"]["files"]  # only its files were listed
    assert record["counts"]["read"] == truth["feed-b"]["files"]
    assert not (LANDING / "feed-c" / "_INGESTED").exists()
    row = sql(
        "SELECT (SELECT count(*) FROM identifiable.instances) AS instances,"
        " (SELECT count(*) FROM identifiable.file_index WHERE file_path LIKE '%/feed-a/%') AS feed_a,"
        " (SELECT count(*) FROM identifiable.file_index WHERE file_path LIKE '%/feed-c/%') AS feed_c",
        zone="identifiable",
    )[0]
    assert int(row["instances"]) == len(truth["feed-a"]["uids"] | truth["feed-b"]["uids"])
    assert int(row["feed_a"]) == truth["feed-a"]["files"]
    assert int(row["feed_c"]) == 0


def test_3_a_job_exiting_1_fails_the_task_and_the_run(bag, truth, monkeypatch, capfd):
    monkeypatch.setenv(
        "AIRFLOW_VAR_LAKEHOUSE_LINK_DATASETS",
        json.dumps([{"dataset": "smr06", "source": str(WORK / "no-such-file.csv")}]),
    )
    dag = bag.dags["inventory"].partial_subset(
        task_ids=["link_datasets", "link", "publish_inventory"], include_upstream=False
    )
    dag_run, states = run(dag)
    assert dag_run.state == "failed"
    assert states["link"] == ["failed"]
    assert states["publish_inventory"] == "upstream_failed"
    captured = capfd.readouterr()
    assert "Error code is: 1." in captured.out + captured.err


PROJECT, COHORT = "trial", "ct_mr"


def test_4_a_cohort_is_extracted_verified_and_announced(bag, truth, monkeypatch):
    done = lakehouse(
        "--home", str(HOME), "cohort", "create", "--name", COHORT,
        "--sql", "SELECT eupi, StudyInstanceUID FROM deidentified.study",
    )
    assert done.returncode in (0, 3), done.stderr[-3000:]
    configs = WORK / "project-configs"
    configs.mkdir()
    # CT and MR: the synthetic PACS's other modalities would need OCR screening first.
    (configs / "ct_mr_only.yaml").write_text(
        f"project: {PROJECT}\ncohorts: [{COHORT}]\nmodalities: [CT, MR]\n"
    )
    monkeypatch.setenv("AIRFLOW_VAR_LAKEHOUSE_PROJECT_CONFIGS", str(configs))
    key = WORK / "trial.key"
    key.write_text(os.urandom(32).hex())
    monkeypatch.setenv(f"LAKEHOUSE_PROJECT_{PROJECT.upper()}_KEY_FILE", str(key))

    dag_run, states = run(
        bag.dags["project_extract"],
        {"project": PROJECT, "cohort": COHORT, "profile": "ct_mr_only"},
    )
    assert dag_run.state == "success", states
    for task_id in ("extract", "verify", "verification_clean", "notify"):
        assert states[task_id] == "success", states

    extraction = HOME / "projects" / PROJECT / "extractions" / COHORT
    assert (extraction / "MANIFEST.sha256").is_file()
    assert (extraction / "report.html").is_file()
    assert list(extraction.rglob("*.dcm")), "no image was extracted"
    status = sql(
        f"SELECT status FROM project_{PROJECT}.extraction_status WHERE extraction_id = '{COHORT}'",
        zone="projects",
    )
    assert [r["status"] for r in status] == ["verified"]
    assert asset_events("lakehouse://projects/extract-verified") == 1


def test_5_maintenance_vacuums_every_zone_and_refuses_a_retention_under_7_days(bag, monkeypatch):
    counts = (
        "SELECT (SELECT count(*) FROM identifiable.instances) AS instances,"
        " (SELECT count(*) FROM deidentified.image) AS images,"
        f" (SELECT count(*) FROM project_{PROJECT}.files) AS extracted"
    )
    before = sql(counts, zone="identifiable,deidentified,projects")

    monkeypatch.setenv("AIRFLOW_VAR_LAKEHOUSE_COHORT_RETENTION_DAYS", "6")
    dag_run, states = run(bag.dags["maintenance"])
    assert dag_run.state == "failed"
    assert states["retain_hours"] == "failed"
    assert {states[f"optimize_{z}"] for z in ("identifiable", "deidentified", "projects")} == {
        "upstream_failed"
    }

    monkeypatch.setenv("AIRFLOW_VAR_LAKEHOUSE_COHORT_RETENTION_DAYS", "7")
    dag_run, states = run(bag.dags["maintenance"])
    assert dag_run.state == "success", states
    assert set(states.values()) == {"success"}, states

    assert sql(counts, zone="identifiable,deidentified,projects") == before
