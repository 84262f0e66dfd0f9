"""inventory: new identifiable instances become the de-identified inventory.

Scheduled on the identifiable-instances Asset (published by pacs_feed). ``features`` and ``ocr``
(the pixel jobs) run in parallel; ``promote`` follows so their new columns (OCR flags, pixel
features) reach ``deidentified.image``; then ``link`` runs once per dataset listed in the
Variable ``lakehouse_link_datasets``, and ``publish_inventory`` publishes the de-identified
inventory Asset.
"""

from __future__ import annotations

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, task

from lakehouse_airflow import settings
from lakehouse_airflow.assets import DEIDENTIFIED_INVENTORY, IDENTIFIABLE_INSTANCES
from lakehouse_airflow.defaults import dag_args
from lakehouse_airflow.operators import LakehouseJobOperator

with DAG(
    dag_id="inventory",
    schedule=[IDENTIFIABLE_INSTANCES],
    **dag_args(__doc__),
) as dag:
    features = LakehouseJobOperator(task_id="features", subcommand="features")
    ocr = LakehouseJobOperator(task_id="ocr", subcommand="ocr")
    promote = LakehouseJobOperator(task_id="promote", subcommand="promote")

    @task
    def link_datasets() -> list[list[str]]:
        """One argument list per configured dataset (``link --dataset D --source S``)."""
        configured = settings.get_json("lakehouse_link_datasets")
        if not isinstance(configured, list):
            raise ValueError("Airflow Variable lakehouse_link_datasets must be a JSON list")
        out = []
        for entry in configured:
            if not isinstance(entry, dict) or not entry.get("dataset") or not entry.get("source"):
                raise ValueError(
                    "each entry of the Airflow Variable lakehouse_link_datasets needs "
                    '"dataset" and "source", e.g. {"dataset": "smr06", "source": "/data/smr06.csv"}'
                )
            args = ["--dataset", entry["dataset"], "--source", entry["source"]]
            out.append(args + [str(a) for a in entry.get("args", [])])
        return out

    # One dataset at a time: each link is a Spark application of its own.
    link = LakehouseJobOperator.partial(
        task_id="link", subcommand="link", max_active_tis_per_dag=1
    ).expand(lakehouse_args=link_datasets())
    publish = EmptyOperator(
        task_id="publish_inventory",
        outlets=[DEIDENTIFIED_INVENTORY],
        # no dataset configured: link is skipped, the inventory is still new
        trigger_rule="none_failed",
    )

    [features, ocr] >> promote >> link >> publish
