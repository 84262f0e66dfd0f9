"""The landing-area convention for PACS feeds (plain Python, no Airflow).

A feed is one directory directly under the landing area::

    <landing>/<feed-id>/dicom/...     the files: any tree, zips allowed   (or)
    <landing>/<feed-id>/files.lst     a file list, one path per line (relative to the list)
    <landing>/<feed-id>/_READY        written LAST by the sender: the feed is complete

Ingest reads every file it is given as an input, whatever its name, so the marker and the list
sit beside the data, never inside ``dicom/``. After a successful ingest the DAG renames
``_READY`` to ``_INGESTED`` (a JSON record of the run), so a feed is claimed once; a sender that
corrects a feed writes ``_READY`` again and the next ingest re-reads only the changed files.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone

READY = "_READY"
INGESTED = "_INGESTED"
DATA_DIR = "dicom"
FILE_LIST = "files.lst"


@dataclass(frozen=True)
class Feed:
    """A complete feed waiting for ingest: its id (directory name) and the ingest source."""

    feed_id: str
    path: str
    source: str


class FeedError(Exception):
    """A feed marked ready whose content does not follow the convention."""


def ready_feeds(landing: str) -> list[Feed]:
    """Feeds under ``landing`` with a ``_READY`` marker, in name order.

    A ready feed with neither ``dicom/`` nor ``files.lst`` is an error (the sender marked an
    empty or misnamed feed): it is reported, never skipped silently.
    """
    if not os.path.isdir(landing):
        raise FeedError(
            f"landing area {landing} is not a directory: create it or set the Airflow "
            "Variable lakehouse_landing"
        )
    feeds = []
    bad = []
    for name in sorted(os.listdir(landing)):
        path = os.path.join(landing, name)
        if name.startswith(".") or not os.path.isfile(os.path.join(path, READY)):
            continue
        data, listing = os.path.join(path, DATA_DIR), os.path.join(path, FILE_LIST)
        if os.path.isdir(data):
            feeds.append(Feed(name, path, data))
        elif os.path.isfile(listing):
            feeds.append(Feed(name, path, listing))
        else:
            bad.append(name)
    if bad:
        raise FeedError(
            f"feeds marked {READY} without {DATA_DIR}/ or {FILE_LIST}: {', '.join(bad)}; "
            f"the sender must put the files in <feed>/{DATA_DIR}/ (or list them in "
            f"<feed>/{FILE_LIST}) and write {READY} last"
        )
    return feeds


def mark_ingested(feed_path: str, record: dict) -> None:
    """Replaces the feed's ``_READY`` by ``_INGESTED`` holding ``record`` (run id, exit code).

    The record is written first and the marker removed last, so a crash in between leaves the
    feed ready (ingest again: it is incremental, nothing is read twice).
    """
    ingested = os.path.join(feed_path, INGESTED)
    tmp = ingested + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump({**record, "ingested_at": datetime.now(timezone.utc).isoformat()}, out)
    os.replace(tmp, ingested)
    os.remove(os.path.join(feed_path, READY))
