"""Fleet collection on Ray (``screenpilot collect``): many devices, one data set.

Every task x repeat (scenarios with their checks, or free-form tasks) runs on a pool of devices,
each a Ray actor holding the device's custom resource, so episodes are scheduled where the devices
are; devices pull work from one queue, a shared model serves them with bounded concurrency, faults
are isolated (attempts re-run elsewhere, failing devices quarantined, hangs ended), and the
collection folder (``episodes/``, ``manifest.jsonl``, ``summary.json``) is resumable after the driver
is killed at any point. Ray is imported only when a collection starts (the ``fleet`` extra).
"""

from ._collector import (
    COLLECTION_FILE,
    SUMMARY_FILE,
    CollectOptions,
    Collector,
    CollectResult,
    collect,
    summarize,
)
from ._errors import BadDeviceList, FleetError
from ._manifest import MANIFEST_FILE, Durations, Manifest, ManifestRecord
from ._model import ModelService, RemoteBackend, portable_request
from ._pool import POOL_FORMS, SIM_PROFILES, DeviceSlot, parse_pool, pool_resources, resource_for
from ._work import FreeTask, WorkItem, build_work, read_task_file
from ._worker import AttemptReport, DeviceWorker, WorkerOptions, pack_folder, unpack_folder

__all__ = [
    "COLLECTION_FILE",
    "MANIFEST_FILE",
    "POOL_FORMS",
    "SIM_PROFILES",
    "SUMMARY_FILE",
    "AttemptReport",
    "BadDeviceList",
    "CollectOptions",
    "CollectResult",
    "Collector",
    "DeviceSlot",
    "DeviceWorker",
    "Durations",
    "FleetError",
    "FreeTask",
    "Manifest",
    "ManifestRecord",
    "ModelService",
    "RemoteBackend",
    "WorkItem",
    "WorkerOptions",
    "build_work",
    "collect",
    "pack_folder",
    "parse_pool",
    "pool_resources",
    "portable_request",
    "read_task_file",
    "resource_for",
    "summarize",
    "unpack_folder",
]
