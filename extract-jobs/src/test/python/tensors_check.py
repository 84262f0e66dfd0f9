"""Checks every volume of an extraction against the extraction's own DICOM files, read by pydicom.

Usage: tensors_check.py EXTRACTION_DIR DOC_MD

The loader is the Python block of docs/ml-ready.md (executed here, so the documented snippet is
the tested one). For each volume of volumes.parquet: the series' DICOM files are read with pydicom,
frames ordered along the slice normal (IOP cross product . IPP), stored values masked to BitsStored
(sign-extended when signed), Rescale Slope/Intercept applied; every voxel must equal the Arrow
volume's, and the dtype, slice positions and geometry must match. Prints one JSON line.
"""
import json
import pathlib
import re
import sys

import numpy as np
import pyarrow.parquet as pq
import pydicom

root = pathlib.Path(sys.argv[1])
doc = pathlib.Path(sys.argv[2]).read_text()
snippet = re.search(r"```python\n(.*?)```", doc, re.S).group(1)
scope = {}
exec(snippet, scope)
load_volume = scope["load_volume"]
VolumeDataset = scope["VolumeDataset"]


def stored(ds):
    """Stored values as [frames, rows, columns(, samples)], masked to BitsStored, signed."""
    a = ds.pixel_array
    if int(ds.get("NumberOfFrames", 1) or 1) == 1:
        a = a[np.newaxis]
    bits = int(ds.BitsStored)
    if int(ds.get("SamplesPerPixel", 1)) == 1 and bits < int(ds.BitsAllocated):
        a = a.astype(np.int64) & ((1 << bits) - 1)
        if int(ds.PixelRepresentation) == 1:
            a = np.where(a >= (1 << (bits - 1)), a - (1 << bits), a)
    return a


def reference(series_dir, sops):
    """(position or None, frame, values) of every frame of the images sops, from pydicom."""
    out = []
    for f in sorted(series_dir.glob("*.dcm")):
        ds = pydicom.dcmread(f)
        if ds.SOPInstanceUID not in sops:
            continue
        a = stored(ds)
        slope = float(ds.get("RescaleSlope", 1))
        intercept = float(ds.get("RescaleIntercept", 0))
        if int(ds.get("SamplesPerPixel", 1)) != 1:
            slope, intercept = 1.0, 0.0
        ipp = ds.get("ImagePositionPatient")
        iop = ds.get("ImageOrientationPatient")
        for k in range(a.shape[0]):
            pos = None
            if ipp is not None and iop is not None:
                o = np.array(iop, dtype=float)
                n = np.cross(o[:3], o[3:])
                n = n / np.linalg.norm(n)
                pos = float(np.dot(n, np.array(ipp, dtype=float)))
            out.append((pos, k, a[k].astype(np.float64) * slope + intercept))
    if all(p is not None for p, _, _ in out):
        out.sort(key=lambda t: t[0])
    else:
        out.sort(key=lambda t: t[1])
    return out


index = pq.read_table(root / "volumes.parquet").to_pylist()
checked = voxels = 0
for row in index:
    if row["status"] != "volume":
        assert row["path"] is None and row["reason"], row
        continue
    vol, geometry = load_volume(root / row["path"])
    assert str(vol.dtype) == row["dtype"], (vol.dtype, row["dtype"])
    assert vol.shape[0] == row["slices"] and vol.shape[1:3] == (row["rows"], row["columns"])
    series_dir = root / row["PatientID"] / row["StudyInstanceUID"] / row["SeriesInstanceUID"]
    ref = reference(series_dir, set(geometry["SOPInstanceUID"]))
    assert len(ref) == vol.shape[0], (len(ref), vol.shape)
    for k, (pos, _, values) in enumerate(ref):
        got = vol[k].astype(np.float64)
        assert got.shape == values.shape, (got.shape, values.shape)
        if vol.dtype == np.float32:
            assert np.array_equal(got, values.astype(np.float32).astype(np.float64)), k
        else:
            assert np.array_equal(got, values), (row["path"], k)
        if pos is not None:
            assert abs(geometry["slice_position_mm"][k] - pos) < 1e-6
        voxels += values.size
    checked += 1
# The documented Dataset: one item per `volume` row, each the loader's answer for its file.
dataset = VolumeDataset(root)
volume_rows = [r for r in index if r["status"] == "volume"]
assert len(dataset) == len(volume_rows) == checked, (len(dataset), len(volume_rows), checked)
for i, row in enumerate(volume_rows):
    got, meta = dataset[i]
    want, _ = load_volume(root / row["path"])
    assert np.array_equal(got, want) and meta["SeriesInstanceUID"] == row["SeriesInstanceUID"], i
modalities = sorted({r["Modality"] for r in volume_rows})
for modality in modalities:
    subset = VolumeDataset(root, modality)
    assert len(subset) == sum(1 for r in volume_rows if r["Modality"] == modality), modality
    assert all(subset[i][1]["Modality"] == modality for i in range(len(subset))), modality
print(json.dumps({"volumes": checked, "voxels": voxels, "index_rows": len(index),
                  "dataset_items": len(dataset), "dataset_modalities": len(modalities),
                  "split": sum(1 for r in index if r["parts"] > 1)}))
