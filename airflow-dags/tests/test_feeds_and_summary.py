"""The feed convention and the CLI summary parser (plain Python, no Spark)."""

from __future__ import annotations

import json

import pytest

from lakehouse_airflow import feeds, summary


def _feed(landing, name, *, data=True, listing=False, ready=True):
    path = landing / name
    path.mkdir(parents=True)
    if data:
        (path / "dicom" / "2020").mkdir(parents=True)
        (path / "dicom" / "2020" / "a.dcm").write_bytes(b"x")
    if listing:
        (path / "files.lst").write_text("a.dcm\n")
    if ready:
        (path / "_READY").write_text("")
    return path


def test_only_feeds_with_the_marker_are_ready_in_name_order(tmp_path):
    _feed(tmp_path, "b-feed")
    _feed(tmp_path, "a-feed", data=False, listing=True)
    _feed(tmp_path, "c-incomplete", ready=False)
    _feed(tmp_path, ".hidden")
    ready = feeds.ready_feeds(str(tmp_path))
    assert [f.feed_id for f in ready] == ["a-feed", "b-feed"]
    assert ready[0].source == str(tmp_path / "a-feed" / "files.lst")
    assert ready[1].source == str(tmp_path / "b-feed" / "dicom")


def test_a_ready_feed_without_data_is_an_error_naming_it(tmp_path):
    _feed(tmp_path, "empty", data=False)
    with pytest.raises(feeds.FeedError, match="empty"):
        feeds.ready_feeds(str(tmp_path))


def test_a_missing_landing_area_names_the_variable(tmp_path):
    with pytest.raises(feeds.FeedError, match="lakehouse_landing"):
        feeds.ready_feeds(str(tmp_path / "nope"))


def test_mark_ingested_replaces_the_marker_by_the_record(tmp_path):
    path = _feed(tmp_path, "f")
    feeds.mark_ingested(str(path), {"exit_code": 3, "counts": {"inputs": 2}})
    assert not (path / "_READY").exists()
    record = json.loads((path / "_INGESTED").read_text())
    assert record["exit_code"] == 3 and record["counts"] == {"inputs": 2}
    assert feeds.ready_feeds(str(tmp_path)) == []


def test_summary_is_parsed_from_the_output_around_it():
    lines = [
        "25/12/05 10:00:00 INFO SparkContext: Running Spark version 4.2.0\n",
        "ingest run 20261205-abc: COMPLETED_WITH_REJECTIONS in 12.3 s\n",
        "  inputs                         1,234\n",
        "  rejected.not_dicom                 2\n",
        "  timings: discover 0.2 s, parse_write 9.5 s\n",
        "25/12/05 10:00:13 INFO ShutdownHookManager: Shutdown hook called\n",
    ]
    assert summary.parse(lines) == {
        "job": "ingest",
        "run_id": "20261205-abc",
        "status": "COMPLETED_WITH_REJECTIONS",
        "counts": {"inputs": 1234, "rejected.not_dicom": 2},
    }
    assert summary.parse(["no summary here\n"]) == {}
