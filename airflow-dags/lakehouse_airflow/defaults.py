"""DAG arguments every lakehouse DAG shares."""

from __future__ import annotations

from datetime import datetime, timezone

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def dag_args(doc: str, **overrides) -> dict:
    """No catch-up (each run works on what is there now), one run at a time (the jobs write the
    same tables), the DAG file's docstring as its documentation."""
    return {
        "start_date": START,
        "catchup": False,
        "max_active_runs": 1,
        "tags": ["lakehouse"],
        "doc_md": doc,
        **overrides,
    }
