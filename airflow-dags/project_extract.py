"""project_extract: one parameterised extraction of a cohort into a project zone.

Triggered by hand with the params ``project``, ``cohort`` and ``profile``. ``extract`` runs
``lakehouse extract --project P --cohort C [--project-config <lakehouse_project_configs>/<profile>.yaml]``,
``verify`` runs ``lakehouse verify --project P --extraction C``; only when verification is clean
(exit 0) does ``notify`` run, which publishes the extract-verified Asset and logs the release
request. Release is not part of this DAG: a human runs it after reading the verification.

The project's pseudonymisation key is never a param (params are stored in Airflow's database):
the worker's environment holds ``LAKEHOUSE_PROJECT_<P>_KEY_FILE`` (see docs/airflow.md).

The ``verify`` subcommand is documented in docs/extract.md ("Verification").
"""

from __future__ import annotations

import os
from airflow.sdk import DAG, Param, task

from lakehouse_airflow import settings
from lakehouse_airflow.assets import PROJECT_EXTRACT_VERIFIED
from lakehouse_airflow.defaults import dag_args
from lakehouse_airflow.operators import LakehouseJobOperator

NAME = r"^[A-Za-z][A-Za-z0-9_]{0,63}$"

with DAG(
    dag_id="project_extract",
    schedule=None,
    **dag_args(__doc__),
    params={
        "project": Param(type="string", pattern=NAME, description="project id (letters, digits, _)"),
        "cohort": Param(type="string", pattern=NAME, description="saved cohort name"),
        "profile": Param(
            "",
            type="string",
            pattern=r"^([A-Za-z0-9_-]{1,64})?$",
            description="project configuration <lakehouse_project_configs>/<profile>.yaml; empty = none",
        ),
    },
) as dag:

    @task(multiple_outputs=True)
    def job_args(params=None) -> dict:
        scope = ["--project", params["project"], "--cohort", params["cohort"]]
        # verify is a task of its own here (retried and reported on its own), so the extract
        # does not also verify at its end.
        extract = list(scope) + ["--no-verify"]
        if params.get("profile"):
            config = os.path.join(settings.get("lakehouse_project_configs"), f"{params['profile']}.yaml")
            if not os.path.isfile(config):
                raise FileNotFoundError(
                    f"project configuration {config} for profile '{params['profile']}' not found "
                    "(Airflow Variable lakehouse_project_configs names the directory)"
                )
            extract += ["--project-config", config]
        # The extraction id is the cohort's name by default (docs/extract.md).
        verify = ["--project", params["project"], "--extraction", params["cohort"]]
        return {"extract": extract, "verify": verify}

    args = job_args()
    extract = LakehouseJobOperator(task_id="extract", subcommand="extract", lakehouse_args=args["extract"])
    verify = LakehouseJobOperator(task_id="verify", subcommand="verify", lakehouse_args=args["verify"])

    @task.short_circuit
    def verification_clean(result: dict) -> bool:
        """Exit 3 from verify means findings: the extraction is not released, notify is skipped."""
        return result.get("exit_code") == 0

    @task(outlets=[PROJECT_EXTRACT_VERIFIED])
    def notify(params=None, outlet_events=None) -> None:
        outlet_events[PROJECT_EXTRACT_VERIFIED].extra = {
            "project": params["project"],
            "cohort": params["cohort"],
        }
        print(
            f"project {params['project']}: extraction of cohort {params['cohort']} verified clean; "
            "ready for a human to release it"
        )

    extract >> verify
    verification_clean(verify.output) >> notify()
