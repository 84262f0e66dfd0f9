"""maintenance: weekly Delta OPTIMIZE and VACUUM of every zone.

``lakehouse optimize --zone Z --vacuum --retain-hours H`` per zone, one zone at a time. ``H``
comes from the Variable ``lakehouse_cohort_retention_days`` (default 365 days): VACUUM deletes
data files unreferenced for longer than that, and a cohort re-run reads its tables by Delta time
travel (docs/cohorts.md), so cohorts stay reproducible for at least that long. The same number of
days goes to ``--cohort-retention-days``: the job itself then keeps whatever a cohort of that age
needs at its pinned versions (raising the retention on those tables) and the de-identified tables'
Delta log at least that long (docs/deployment.md, "Maintenance"). A value under Delta's 7-day
safety minimum is refused.
"""

from __future__ import annotations

from airflow.sdk import DAG, chain, task

from lakehouse_airflow import settings
from lakehouse_airflow.defaults import dag_args
from lakehouse_airflow.operators import LakehouseJobOperator

ZONES = ("identifiable", "deidentified", "projects")
MIN_RETENTION_DAYS = 7

with DAG(
    dag_id="maintenance",
    schedule="0 3 * * 0",
    **dag_args(__doc__),
) as dag:

    @task
    def retain_hours() -> int:
        raw = settings.get("lakehouse_cohort_retention_days")
        try:
            days = int(raw)
        except ValueError:
            raise ValueError(
                f"Airflow Variable lakehouse_cohort_retention_days must be a whole number of days, not '{raw}'"
            ) from None
        if days < MIN_RETENTION_DAYS:
            raise ValueError(
                f"lakehouse_cohort_retention_days = {days} is under Delta's {MIN_RETENTION_DAYS}-day "
                "minimum; VACUUM would break running queries and cohort re-runs"
            )
        return days * 24

    hours = retain_hours()
    optimize = [
        LakehouseJobOperator(
            task_id=f"optimize_{zone}",
            subcommand="optimize",
            lakehouse_args=[
                "--zone",
                zone,
                "--vacuum",
                "--retain-hours",
                "{{ ti.xcom_pull(task_ids='retain_hours') }}",
                "--cohort-retention-days",
                "{{ (ti.xcom_pull(task_ids='retain_hours') | int) // 24 }}",
            ],
        )
        for zone in ZONES
    ]
    chain(hours, *optimize)
