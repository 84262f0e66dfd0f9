"""Shared by the serve test clients: each attempt prints one JSON object per line,
{"name": ..., "ok": true/false, "value": ... or "error": the error on one line}."""
import json


def attempt(name, action):
    try:
        value = action()
        print(json.dumps({"name": name, "ok": True, "value": value}), flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is a result here
        text = " ".join(str(e).split())[:1500] or type(e).__name__
        print(json.dumps({"name": name, "ok": False, "error": text}), flush=True)
