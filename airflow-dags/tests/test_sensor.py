"""The feed sensor defers on the marker glob, and the standard FileTrigger it hands to the
triggerer fires when a feed is marked (run here as the triggerer would, without Spark)."""

from __future__ import annotations

import asyncio

import pytest


def test_the_sensor_defers_until_a_feed_is_marked_ready(tmp_path, monkeypatch):
    from airflow.providers.standard.triggers.file import FileTrigger
    from airflow.sdk.exceptions import TaskDeferred

    from lakehouse_airflow.sensors import ReadyFeedSensor

    monkeypatch.setenv("AIRFLOW_VAR_LAKEHOUSE_LANDING", str(tmp_path))
    (tmp_path / "late" / "dicom").mkdir(parents=True)  # files copied, marker not yet written
    sensor = ReadyFeedSensor(task_id="wait_for_feed", poke_interval=0.1)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(context={})
    trigger = deferred.value.trigger
    assert isinstance(trigger, FileTrigger)
    assert trigger.filepath == str(tmp_path / "*" / "_READY")
    with pytest.raises(RuntimeError, match="claimed"):
        sensor.execute_complete(context={}, event=True)  # nothing ready: refuses to go on

    async def fire_after_marking():
        events = trigger.run()
        waiting = asyncio.ensure_future(events.__anext__())
        await asyncio.sleep(0.3)
        assert not waiting.done()  # no marker yet: still waiting
        (tmp_path / "late" / "_READY").write_text("")
        return await asyncio.wait_for(waiting, timeout=10)

    event = asyncio.run(fire_after_marking())
    assert event.payload
    sensor.execute_complete(context={}, event=event.payload)  # now a feed is ready
