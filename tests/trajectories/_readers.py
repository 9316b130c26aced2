"""Readers of the exported data sets, written from the formats' published definitions, independent of the
exporters' code and libraries, so a test reads an export the way its consumer does.

- TFRecord framing (TensorFlow's record format): u64 length, masked CRC-32C of the length, data, masked
  CRC-32C of the data; mask = ((crc >> 15) | (crc << 17)) + 0xa282ead8. GZIP files as a whole.
- Protocol buffer wire format (varints, length-delimited fields, packed repeated scalars), read into
  ``tf.train.Example`` (features -> map<string, Feature>: bytes_list 1, float_list 2, int64_list 3) and
  android_env's ``AndroidAccessibilityForest`` (windows 1 -> tree 11 -> nodes 1 -> node fields).
- AITW's action matching (android_in_the_wild/action_matching.py): tap vs swipe by touch-lift distance
  0.04; taps match within 0.14 of the screen or inside the same UI annotation box grown 1.4x each way;
  swipes match on their main axis; other actions by type.
- GUI-Odyssey's format converter (data/format_converter.py): split entries are annotation file names,
  screenshots live in one flat folder, the fields each chat mode reads, and its action decoding.
"""

from __future__ import annotations

import gzip
import json
import math
import struct
from pathlib import Path
from typing import Any

import crc32c

# ---- TFRecord and protobuf ----------------------------------------------------------------------


def _masked(data: bytes) -> int:
    crc = crc32c.crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_tfrecord(path: Path) -> list[bytes]:
    """Every record of a GZIP TFRecord file, checksums checked."""
    data = gzip.decompress(path.read_bytes())
    out, at = [], 0
    while at < len(data):
        head = data[at:at + 8]
        (length,) = struct.unpack("<Q", head)
        (crc,) = struct.unpack("<I", data[at + 8:at + 12])
        assert crc == _masked(head), "length checksum"
        body = data[at + 12:at + 12 + length]
        (crc,) = struct.unpack("<I", data[at + 12 + length:at + 16 + length])
        assert crc == _masked(body), "data checksum"
        out.append(body)
        at += 16 + length
    return out


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        b = data[at]
        at += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, at


def fields(data: bytes) -> dict[int, list[Any]]:
    """A message's fields by number: ints for varints, bytes for length-delimited, raw bytes for fixed."""
    out: dict[int, list[Any]] = {}
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 2:
            n, at = _varint(data, at)
            value, at = data[at:at + n], at + n
        elif wire == 5:
            value, at = data[at:at + 4], at + 4
        elif wire == 1:
            value, at = data[at:at + 8], at + 8
        else:
            raise ValueError(f"wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def _packed_varints(chunks: list[Any]) -> list[int]:
    values: list[int] = []
    for c in chunks:
        if isinstance(c, int):
            values.append(c)
            continue
        at = 0
        while at < len(c):
            v, at = _varint(c, at)
            values.append(v - (1 << 64) if v >= 1 << 63 else v)
    return values


def decode_example(record: bytes) -> dict[str, list[Any]]:
    """A serialized tf.train.Example as {feature name: values}."""
    features = fields(fields(record)[1][0])
    out: dict[str, list[Any]] = {}
    for entry in features.get(1, []):
        kv = fields(entry)
        name = kv[1][0].decode("utf-8")
        feature = fields(kv[2][0]) if 2 in kv else {}
        if 1 in feature:  # BytesList
            out[name] = list(fields(feature[1][0]).get(1, []))
        elif 2 in feature:  # FloatList (packed little-endian floats)
            raw = b"".join(c if isinstance(c, bytes) else b"" for c in fields(feature[2][0]).get(1, []))
            out[name] = list(struct.unpack(f"<{len(raw) // 4}f", raw))
        elif 3 in feature:  # Int64List
            out[name] = _packed_varints(fields(feature[3][0]).get(1, []))
        else:
            out[name] = []
    return out


def decode_forest(data: bytes) -> list[dict[str, Any]]:
    """AndroidAccessibilityForest -> the nodes of every window's tree."""
    nodes = []
    for window in fields(data).get(1, []):
        tree = fields(window).get(11, [b""])[0]
        for raw in fields(tree).get(1, []):
            f = fields(raw)
            rect = fields(f[2][0]) if 2 in f else {}
            text = {n: f[k][0].decode("utf-8") if k in f else "" for n, k in
                    (("class_name", 3), ("content_description", 4), ("package_name", 6), ("text", 7))}
            nodes.append({"unique_id": f.get(1, [0])[0], **text,
                          "bounds": [rect.get(k, [0])[0] for k in (1, 2, 3, 4)],
                          "is_clickable": bool(f.get(14, [0])[0]), "child_ids": _packed_varints(f.get(25, [])),
                          "depth": f.get(27, [0])[0]})
    return nodes


# ---- AITW's action matching ---------------------------------------------------------------------

DUAL_POINT = 4


def is_tap(touch: list[float], lift: list[float]) -> bool:
    return math.dist(touch, lift) <= 0.04


def _in_box(yx: list[float], box: list[float]) -> bool:
    y, x = yx
    top, left, h, w = box
    return top <= y <= top + h and left <= x <= left + w


def _grown(box: list[float]) -> list[float]:
    top, left, h, w = box
    dh, dw = 1.4 * h, 1.4 * w
    return [max(0.0, top - dh / 2), max(0.0, left - dw / 2), min(1.0, h + dh), min(1.0, w + dw)]


def aitw_match(a: tuple[int, list[float], list[float]], b: tuple[int, list[float], list[float]],
               positions: list[float]) -> bool:
    """Whether two (action_type, touch_yx, lift_yx) actions match, with the screen's UI annotations."""
    (ta, touch_a, lift_a), (tb, touch_b, lift_b) = a, b
    if ta != DUAL_POINT or tb != DUAL_POINT:
        return ta == tb
    if is_tap(touch_a, lift_a) != is_tap(touch_b, lift_b):
        return False
    if is_tap(touch_a, lift_a):
        boxes = [_grown(positions[i:i + 4]) for i in range(0, len(positions), 4)]
        same_box = any(_in_box(touch_a, box) and _in_box(touch_b, box) for box in boxes)
        return same_box or math.dist(touch_a, touch_b) <= 0.14
    da = [abs(lift_a[0] - touch_a[0]), abs(lift_a[1] - touch_a[1])]
    db = [abs(lift_b[0] - touch_b[0]), abs(lift_b[1] - touch_b[1])]
    return da.index(max(da)) == db.index(max(db))


# ---- GUI-Odyssey's converter -------------------------------------------------------------------

ODYSSEY_STEP_FIELDS = ("step", "screenshot", "action", "info", "ps", "description", "intention", "context",
                       "low_level_instruction", "sam2_bbox")


def odyssey_decode(action: str, info: Any) -> str:
    """The converter's decode_action: the target text a model is trained on."""
    if action in ("CLICK", "LONG_PRESS"):
        keys = {"KEY_HOME": "PRESS_HOME", "KEY_BACK": "PRESS_BACK", "KEY_APPSELECT": "PRESS_RECENT"}
        if isinstance(info, str) and info in keys:
            return keys[info]
        if isinstance(info, list):
            return f"{action}: {tuple(info[0])}"
        raise ValueError(f"Unknown click action {info}")
    if action == "SCROLL":
        dx, dy = info[1][0] - info[0][0], info[1][1] - info[0][1]
        if abs(dx) > abs(dy):
            return "SCROLL: " + ("LEFT" if dx < 0 else "RIGHT")
        return "SCROLL: " + ("UP" if dy < 0 else "DOWN")
    if action == "TEXT":
        return f"TYPE: {info}"
    if action == "COMPLETE":
        return "COMPLETE"
    if action == "INCOMPLETE":
        return "IMPOSSIBLE"
    raise ValueError(f"Unknown action {action}")


def odyssey_samples(root: Path, level: str = "low") -> list[dict[str, Any]]:
    """What the converter builds from every split file (train: standard + semantic; test), as it reads it."""
    samples = []
    for split_file in sorted((root / "splits").iterdir()):
        split = json.loads(split_file.read_text())
        for part in ("train", "test"):
            for name in split[part]:
                data = json.loads((root / "annotations" / name).read_text())  # FileNotFoundError if wrong
                high = data["task_info"]["instruction"]
                for step in data["steps"]:
                    image = root / "screenshots" / step["screenshot"]
                    assert image.is_file(), image
                    samples.append({
                        "image": image, "instruction": high if level == "high" else step["low_level_instruction"],
                        "target": odyssey_decode(step["action"], step["info"]),
                        "description": step["description"], "intention": step["intention"],
                        "context": step["context"], "sam2_bbox": step["sam2_bbox"], "category": data["task_info"]["category"],
                        "step_length": data["step_length"]})
    return samples
