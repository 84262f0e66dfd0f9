"""Shared by the serve test clients: each attempt prints one JSON object per line,
{"name": ..., "ok": true/false, "value": ... or "error": the error on one line}."""
import json
import os
import sys


def attempt(name, action):
    try:
        value = action()
        print(json.dumps({"name": name, "ok": True, "value": value}), flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is a result here
        text = " ".join(str(e).split())[:1500] or type(e).__name__
        print(json.dumps({"name": name, "ok": False, "error": text}), flush=True)


def finish():
    """Ends the client without running finalizers. A Connect session that was not stopped is
    closed by SparkSession.__del__ at interpreter exit, and grpc's Channel.close can block there
    for ever (seen: ServeUsersTest's client idle in Channel._close from SparkSession.__del__
    with the server idle). The results are printed already; the server closes what is left."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
