"""``ReadyFeedSensor``: waits, deferred, until a feed in the landing area is marked ``_READY``."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from airflow.providers.standard.triggers.file import FileTrigger
from airflow.sdk import BaseSensorOperator

from lakehouse_airflow import feeds, settings


class ReadyFeedSensor(BaseSensorOperator):
    """Succeeds as soon as ``<landing>/*/_READY`` exists; meanwhile it is deferred to the
    triggerer (the standard provider's ``FileTrigger`` globbing for the marker), so waiting for a
    feed holds no worker slot. The landing area is the Variable ``lakehouse_landing``.
    """

    def __init__(self, *, poke_interval: float = 60, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", timedelta(days=7).total_seconds())
        super().__init__(poke_interval=poke_interval, **kwargs)

    def poke(self, context) -> bool:
        ready = feeds.ready_feeds(settings.get("lakehouse_landing"))
        self.log.info("feeds marked %s: %d", feeds.READY, len(ready))
        return bool(ready)

    def execute(self, context) -> None:
        if self.poke(context):
            return
        pattern = os.path.join(settings.get("lakehouse_landing"), "*", feeds.READY)
        self.defer(
            trigger=FileTrigger(filepath=pattern, poke_interval=self.poke_interval),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout),
        )

    def execute_complete(self, context, event: Any = None) -> None:
        if not self.poke(context):
            raise RuntimeError(
                f"the trigger saw a {feeds.READY} marker that is gone: another run claimed the "
                "feed; this run stops here"
            )
