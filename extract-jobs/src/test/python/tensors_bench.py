"""Loads N CT volumes of an extraction into NumPy, one way, and reports time and peak memory.

Usage: tensors_bench.py EXTRACTION_DIR DOC_MD MODE N
MODE arrow:   docs/ml-ready.md's load_volume on each volume file (memory-mapped Arrow IPC).
MODE pydicom: what a researcher does without it: pydicom.dcmread every file of the volume, sort by
              ImagePositionPatient along the slice normal, stack pixel_array * RescaleSlope +
              RescaleIntercept (float64, pydicom's apply_modality_lut would give the same).
MODE none:    imports only (the baseline of the peak memory).
Every volume is kept in a list (a dataset in memory) and summed (every voxel is touched).
The N largest CT volumes (most slices) of volumes.parquet are loaded.
Prints one JSON line: mode, volumes, slices, voxels, dtype, seconds, VmHWM/RssAnon/RssFile (MB).
"""
import json
import pathlib
import re
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pydicom

root = pathlib.Path(sys.argv[1])
scope = {}
exec(re.search(r"```python\n(.*?)```", pathlib.Path(sys.argv[2]).read_text(), re.S).group(1), scope)
load_volume = scope["load_volume"]
mode = sys.argv[3]
n = int(sys.argv[4])
rows = [r for r in pq.read_table(root / "volumes.parquet").to_pylist()
        if r["status"] == "volume" and r["Modality"] == "CT"]
# The n largest volumes (most slices; ties by path).
rows = sorted(rows, key=lambda r: (-r["slices"], r["path"]))[:n]
# The DICOM files of each volume (the whole series, or the run of slices between two gaps), listed
# before the clock starts: <patient>/<study>/<series>/<SOP>.dcm.
files = {}
if mode == "pydicom":
    for r in rows:
        sops = pa.ipc.open_file(pa.memory_map(str(root / r["path"]))).read_all().column(
            "SOPInstanceUID").to_pylist()
        series_dir = root / r["PatientID"] / r["StudyInstanceUID"] / r["SeriesInstanceUID"]
        files[r["path"]] = [series_dir / (sop + ".dcm") for sop in sorted(set(sops))]


def by_pydicom(paths):
    slices = [pydicom.dcmread(f) for f in paths]
    o = np.array(slices[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(o[:3], o[3:])
    slices.sort(key=lambda ds: float(np.dot(normal, np.array(ds.ImagePositionPatient, dtype=float))))
    return np.stack([ds.pixel_array * float(ds.get("RescaleSlope", 1))
                     + float(ds.get("RescaleIntercept", 0)) for ds in slices])


def status():
    """Peak and current resident memory of this process (MB), from /proc (ru_maxrss would carry
    over the JVM that started it: Linux keeps it across exec; VmHWM starts again at exec)."""
    out = {}
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "RssAnon", "RssFile"):
            out[key + "_mb"] = round(int(value.split()[0]) / 1024, 1)
    return out


start = time.perf_counter()
kept = []
voxels = 0
total = 0.0
for r in rows:
    if mode == "arrow":
        vol = load_volume(root / r["path"])[0]
    elif mode == "pydicom":
        vol = by_pydicom(files[r["path"]])
    else:
        continue
    total += float(vol.sum())
    voxels += vol.size
    kept.append(vol)
seconds = time.perf_counter() - start
print(json.dumps({"mode": mode, "volumes": len(kept), "slices": sum(v.shape[0] for v in kept),
                  "voxels": voxels, "dtype": str(kept[0].dtype) if kept else None,
                  "seconds": round(seconds, 3),
                  **status(),
                  "sum": total}))
