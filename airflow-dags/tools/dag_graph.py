"""Draws the lakehouse DAGs from the DAG objects: DOT text (one cluster per DAG, task edges from
the tasks' dependencies, Assets as the links between DAGs) and a PNG through Graphviz ``dot``.

    python airflow-dags/tools/dag_graph.py docs/airflow-dags     # writes .dot and .png

bin/setup --with-airflow installs Graphviz; the test suite checks that the committed .dot is what
the DAGs give today, so the picture cannot drift from the code.
"""

from __future__ import annotations

import os
import subprocess
import sys

NL = "\\n"  # a line break inside a DOT label
DAG_IDS = ("pacs_feed", "inventory", "project_extract", "maintenance")


def _quote(s: str) -> str:
    return '"' + s.replace('"', '\\"') + '"'


def _asset_name(asset) -> str:
    return getattr(asset, "name", None) or asset.uri


def _schedule_assets(dag) -> list:
    """The Assets a DAG is scheduled on (empty for time-based or manual DAGs)."""
    schedule = dag.schedule
    if isinstance(schedule, (list, tuple, set)):
        return sorted(schedule, key=_asset_name)
    return []


def _schedule_label(dag) -> str:
    if _schedule_assets(dag):
        return "on Asset"
    return "manual" if dag.schedule is None else str(dag.schedule)


def dot(dags: dict) -> str:
    """DOT text for ``dags`` (dag_id -> DAG), deterministic (sorted) so it can be compared."""
    lines = [
        "digraph lakehouse_dags {",
        "  rankdir=LR; compound=true;",
        '  graph [fontname="Helvetica", fontsize=11];',
        '  node [fontname="Helvetica", fontsize=10, shape=box, style="rounded,filled", fillcolor="#e8f1f8"];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    assets: set[str] = set()
    asset_edges: list[str] = []
    for dag_id in DAG_IDS:
        dag = dags[dag_id]
        label = f"{dag_id}  ({_schedule_label(dag)})"
        lines.append(f"  subgraph {_quote('cluster_' + dag_id)} {{")
        lines.append(f"    label={_quote(label)};")
        for task in sorted(dag.tasks, key=lambda t: t.task_id):
            node = f"{dag_id}.{task.task_id}"
            kind = getattr(task, "operator_name", type(task).__name__)
            mapped = " [mapped]" if getattr(task, "is_mapped", False) else ""
            lines.append(f"    {_quote(node)} [label={_quote(task.task_id + mapped + NL + kind)}];")
        for task in sorted(dag.tasks, key=lambda t: t.task_id):
            for down in sorted(task.downstream_task_ids):
                lines.append(f"    {_quote(dag_id + '.' + task.task_id)} -> {_quote(dag_id + '.' + down)};")
            for outlet in getattr(task, "outlets", []) or []:
                name = _asset_name(outlet)
                assets.add(name)
                asset_edges.append(f"  {_quote(dag_id + '.' + task.task_id)} -> {_quote('asset:' + name)} [style=dashed];")
        lines.append("  }")
        for asset in _schedule_assets(dag):
            name = _asset_name(asset)
            assets.add(name)
            # one edge into the DAG's box: the Asset schedules the whole DAG
            first = sorted(t.task_id for t in dag.tasks if not t.upstream_task_ids)[0]
            asset_edges.append(
                f"  {_quote('asset:' + name)} -> {_quote(dag_id + '.' + first)}"
                f" [style=dashed, label=\"schedules\", lhead={_quote('cluster_' + dag_id)}];"
            )
    for name in sorted(assets):
        lines.append(f'  {_quote("asset:" + name)} [label={_quote("Asset" + NL + name)}, shape=note, fillcolor="#fff4d6"];')
    lines.extend(sorted(set(asset_edges)))
    lines.append("}")
    return "\n".join(lines) + "\n"


def load_dags() -> dict:
    from airflow.dag_processing.dagbag import DagBag

    folder = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if folder not in sys.path:  # as Airflow does for its DAG folder: lakehouse_airflow imports
        sys.path.insert(0, folder)
    bag = DagBag(dag_folder=folder)
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return {dag_id: bag.dags[dag_id] for dag_id in DAG_IDS}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = argv[1]
    text = dot(load_dags())
    with open(out + ".dot", "w", encoding="utf-8") as f:
        f.write(text)
    subprocess.run(["dot", "-Tpng", "-Gdpi=110", "-o", out + ".png", out + ".dot"], check=True)
    print(f"wrote {out}.dot and {out}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
