"""Reads the job summary the lakehouse CLI prints (core ``JobResult.summary()``).

The summary is a header ``<job> run <run-id>: <STATUS> in <seconds> s`` followed by one
``  <count name>  <number>`` line per count. Counts are numbers only (no identifying values),
so they can go to XCom and the task log.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^(?P<job>[\w-]+) run (?P<run_id>\S+): (?P<status>[A-Z_]+) in [\d.]+ s$")
_COUNT = re.compile(r"^(?P<name>[\w.:/-]+)\s+(?P<value>-?[\d,]+)$")


def parse(lines: list[str]) -> dict:
    """The last job summary in ``lines`` (a CLI run prints one), or ``{}`` if there is none."""
    result: dict = {}
    counting = False
    for raw in lines:
        line = raw.rstrip("\n")
        header = _HEADER.match(line.strip())
        if header:
            result = {**header.groupdict(), "counts": {}}
            counting = True
            continue
        if counting:
            count = _COUNT.match(line.strip()) if line.startswith("  ") else None
            if count:
                result["counts"][count["name"]] = int(count["value"].replace(",", ""))
            else:
                counting = False
    return result
