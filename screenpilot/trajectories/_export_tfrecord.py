"""TFRecord files as Google's phone data sets ship them (AITW, AndroidControl): GZIP-compressed records of
``tf.train.Example``, written with the ``tfrecord`` package (its Example protobuf and record framing:
length, masked CRC32-C of the length, data, masked CRC32-C of the data), no TensorFlow.

AndroidControl's accessibility trees are serialized ``android_env.AndroidAccessibilityForest`` messages;
their classes are built here at run time from the fields of android_env's published .proto files
(forest -> windows -> tree -> nodes, with the same field numbers), through protobuf's descriptor API.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from ..actions import Element
from ._export import export_extra

__all__ = ["a11y_forest", "feature", "gzip_tfrecord"]

Feature = tuple[Any, str]


def _library() -> Any:
    return export_extra("tfrecord.writer", "writing TFRecord files").TFRecordWriter


def feature(value: Any, kind: str) -> Feature:
    """One ``tf.train.Feature``: ``kind`` is ``byte``, ``int`` or ``float``; text becomes UTF-8 bytes."""
    if kind == "byte":
        values = value if isinstance(value, list) else [value]
        value = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in values]
    return value, kind


@contextmanager
def gzip_tfrecord(path: Path) -> Iterator[Any]:
    """A writer of Examples (``write({name: feature(...)})``) into a GZIP TFRecord file at ``path``."""
    writer_class = _library()

    class _Gzip(writer_class):  # type: ignore[misc, valid-type]
        def __init__(self, target: Path) -> None:  # the library's framing, into a gzip stream
            self.file = gzip.open(target, "wb", compresslevel=6)  # noqa: SIM115 - closed by close()

    tmp = path.with_name(path.name + ".tmp")
    writer = _Gzip(tmp)
    try:
        yield writer
    finally:
        writer.close()
    tmp.replace(path)


_RECT = [("left", 1), ("top", 2), ("right", 3), ("bottom", 4)]
_NODE = [("unique_id", 1, "int32"), ("bounds_in_screen", 2, ".android_env.ProtoRect"), ("class_name", 3, "string"),
         ("content_description", 4, "string"), ("hint_text", 5, "string"), ("package_name", 6, "string"),
         ("text", 7, "string"), ("view_id_resource_name", 10, "string"), ("window_id", 11, "int32"),
         ("is_checkable", 12, "bool"), ("is_checked", 13, "bool"), ("is_clickable", 14, "bool"),
         ("is_editable", 15, "bool"), ("is_enabled", 16, "bool"), ("is_focusable", 17, "bool"),
         ("is_focused", 18, "bool"), ("is_long_clickable", 19, "bool"), ("is_password", 20, "bool"),
         ("is_scrollable", 21, "bool"), ("is_selected", 22, "bool"), ("is_visible_to_user", 23, "bool"),
         ("child_ids", 25, "repeated int32"), ("depth", 27, "int32")]
_WINDOW = [("bounds_in_screen", 1, ".android_env.ProtoRect"), ("display_id", 2, "int32"), ("id", 3, "int32"),
           ("layer", 4, "int32"), ("title", 5, "string"), ("window_type", 6, "int32"), ("is_active", 8, "bool"),
           ("is_focused", 9, "bool"), ("tree", 11, ".android_env.AndroidAccessibilityTree")]
TYPE_APPLICATION = 1


@cache
def _a11y_classes() -> dict[str, Any]:
    """The android_env accessibility messages (the fields ScreenPilot can fill), as protobuf classes."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    fdp = descriptor_pb2.FileDescriptorProto(name="screenpilot_android_env_a11y.proto", package="android_env",
                                             syntax="proto3")
    types = {"int32": descriptor_pb2.FieldDescriptorProto.TYPE_INT32,
             "string": descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
             "bool": descriptor_pb2.FieldDescriptorProto.TYPE_BOOL}

    def message(name: str, fields: list[tuple[str, int, str]]) -> None:
        m = fdp.message_type.add(name=name)
        for fname, number, ftype in fields:
            repeated = ftype.startswith("repeated ")
            ftype = ftype.removeprefix("repeated ")
            f = m.field.add(name=fname, number=number)
            f.label = (descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED if repeated
                       else descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
            if ftype.startswith("."):
                f.type, f.type_name = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE, ftype
            else:
                f.type = types[ftype]

    message("ProtoRect", [(n, i, "int32") for n, i in _RECT])
    message("AndroidAccessibilityNodeInfo", _NODE)
    message("AndroidAccessibilityTree", [("nodes", 1, "repeated .android_env.AndroidAccessibilityNodeInfo")])
    message("AndroidAccessibilityWindowInfo", _WINDOW)
    message("AndroidAccessibilityForest", [("windows", 1, "repeated .android_env.AndroidAccessibilityWindowInfo")])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"android_env.{name}"))
            for name in ("AndroidAccessibilityForest", "AndroidAccessibilityWindowInfo", "AndroidAccessibilityTree",
                         "AndroidAccessibilityNodeInfo", "ProtoRect")}


def a11y_forest(elements: list[Element], screen: tuple[int, int]) -> bytes:
    """A recorded UI tree as one application window's ``AndroidAccessibilityForest`` (serialized).

    Node ``unique_id`` is the element's position in the recorded (depth-first) order; ``child_ids`` and
    ``depth`` are rebuilt from the recorded depths.
    """
    classes = _a11y_classes()
    rect, node_class = classes["ProtoRect"], classes["AndroidAccessibilityNodeInfo"]
    nodes = []
    parents: list[int] = []  # the open ancestors, by depth
    for i, e in enumerate(elements):
        depth = int(getattr(e, "depth", 0) or 0)
        del parents[depth:]
        node = node_class(unique_id=i, bounds_in_screen=rect(left=e.bounds.left, top=e.bounds.top, right=e.bounds.right,
                                                               bottom=e.bounds.bottom),
                          class_name=e.class_name, content_description=e.description, package_name=e.package,
                          text=e.text, view_id_resource_name=e.resource_id, is_checkable=e.checkable,
                          is_checked=bool(e.checked), is_clickable=e.clickable, is_enabled=e.enabled,
                          is_focusable=e.focusable, is_focused=e.focused, is_password=e.password,
                          is_scrollable=e.scrollable, is_selected=e.selected, is_visible_to_user=True,
                          is_editable=e.class_name.endswith("EditText"), depth=depth)
        if parents and depth > 0:
            nodes[parents[-1]].child_ids.append(i)
        nodes.append(node)
        parents.append(i)
    w, h = screen
    window = classes["AndroidAccessibilityWindowInfo"](
        bounds_in_screen=rect(left=0, top=0, right=w, bottom=h), id=1, layer=1, window_type=TYPE_APPLICATION,
        is_active=True, is_focused=True, tree=classes["AndroidAccessibilityTree"](nodes=nodes))
    return classes["AndroidAccessibilityForest"](windows=[window]).SerializeToString()  # type: ignore[no-any-return]
