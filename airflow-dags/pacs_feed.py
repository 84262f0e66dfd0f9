"""pacs_feed: a new PACS feed lands, ingest reads it into the identifiable zone.

Runs continuously, one run at a time: ``wait_for_feed`` is deferred to the triggerer until a
feed in the landing area is marked ``_READY`` (see lakehouse_airflow/feeds.py and
docs/airflow.md), ``claim_feeds`` lists every ready feed, ``ingest`` reads them in one run
(incremental: files already in the index are not read again) and publishes the
identifiable-instances Asset, and ``mark_ingested`` replaces each feed's ``_READY`` by
``_INGESTED`` with the run's counts.
"""

from __future__ import annotations

from airflow.sdk import DAG, task
from airflow.sdk.exceptions import AirflowSkipException

from lakehouse_airflow import feeds, settings
from lakehouse_airflow.assets import IDENTIFIABLE_INSTANCES
from lakehouse_airflow.defaults import dag_args
from lakehouse_airflow.operators import LakehouseJobOperator
from lakehouse_airflow.sensors import ReadyFeedSensor

with DAG(
    dag_id="pacs_feed",
    schedule="@continuous",
    **dag_args(__doc__),
) as dag:
    wait = ReadyFeedSensor(task_id="wait_for_feed")

    @task(multiple_outputs=True)
    def claim_feeds() -> dict:
        ready = feeds.ready_feeds(settings.get("lakehouse_landing"))
        if not ready:
            raise AirflowSkipException(f"no feed is marked {feeds.READY} any more")
        args: list[str] = []
        for feed in ready:
            args += ["--source", feed.source]
        return {"feeds": [f.path for f in ready], "ingest_args": args}

    claimed = claim_feeds()
    ingest = LakehouseJobOperator(
        task_id="ingest",
        subcommand="ingest",
        lakehouse_args=claimed["ingest_args"],
        outlets=[IDENTIFIABLE_INSTANCES],
    )

    @task
    def mark_ingested(feed_paths: list[str], result: dict, run_id=None) -> None:
        for path in feed_paths:
            feeds.mark_ingested(
                path,
                {
                    "dag_run_id": run_id,
                    "ingest_run_id": result.get("run_id"),
                    "exit_code": result.get("exit_code"),
                    "counts": result.get("counts", {}),
                },
            )

    wait >> claimed
    mark_ingested(claimed["feeds"], ingest.output)
