"""Ray for a collection: start a local cluster or join one, and make the actors.

A local cluster (no ``--address``) is started on 127.0.0.1 with the pool's device resources and
``num_cpus`` CPUs; with ``--address`` the cluster's nodes must offer the device resources
themselves (``ray start --resources``). Devices and model services are actors: Ray places them by
resources, restarts a dead one (``max_restarts``), and carries requests and episodes between them.
Calls are not retried by Ray (``max_task_retries=0``): an episode cut short is re-run from its start
by the driver, preferably on another device, never resumed half-way on a fresh phone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._errors import FleetError
from ._pool import DeviceSlot, pool_resources

__all__ = ["ClusterInfo", "connect", "device_actor", "missing_resources", "model_service_actors"]

_LOOPBACK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


@dataclass(frozen=True)
class ClusterInfo:
    address: str
    dashboard_url: str | None
    started_here: bool
    gpus: int
    node: str = ""
    """The driver's Ray node (its first 12 characters, as workers report theirs)."""
    connected_here: bool = False


def connect(address: str | None, slots: Sequence[DeviceSlot], *, num_cpus: int | None = None,
            dashboard: bool = True) -> ClusterInfo:
    """Join ``address`` (``auto`` or HOST:PORT) or start a local cluster offering the pool's resources."""
    if address is None:
        os.environ.setdefault(_LOOPBACK_ENV, "0")  # a local cluster listens on 127.0.0.1 only (read at import)
    try:
        import ray
    except ImportError:
        raise FleetError("Ray is not installed", hint="pip install 'screenpilot[fleet]'") from None
    url: str | None = None
    connected = not ray.is_initialized()
    if not connected:  # a caller (a notebook, a benchmark) already connected: use that cluster
        started = False
    else:
        options: dict[str, Any] = {"log_to_driver": False, "logging_level": "warning"}
        try:
            if address is not None:
                context = ray.init(address=address, **options)
            else:
                context = ray.init(num_cpus=num_cpus or os.cpu_count() or 1, resources=pool_resources(slots),
                                   include_dashboard=dashboard, **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise FleetError(f"cannot {'join the Ray cluster at ' + address if address else 'start Ray'}: {exc}",
                             hint="check `ray status`" if address else "see /tmp/ray/session_latest/logs") from None
        started = address is None
        url = getattr(context, "dashboard_url", None) or None
    gcs = getattr(ray.get_runtime_context(), "gcs_address", "") or ""
    return ClusterInfo(address=gcs, dashboard_url=f"http://{url}" if url and not url.startswith("http") else url,
                       started_here=started, gpus=int(ray.cluster_resources().get("GPU", 0)),
                       node=str(ray.get_runtime_context().get_node_id())[:12], connected_here=connected)


def missing_resources(slots: Sequence[DeviceSlot]) -> dict[str, str]:
    """Slot name -> why the cluster cannot place it (it offers too few of its resource)."""
    import ray

    offered = ray.cluster_resources()
    used: dict[str, float] = {}
    out: dict[str, str] = {}
    for slot in slots:
        used[slot.resource] = used.get(slot.resource, 0.0) + 1
        if used[slot.resource] > offered.get(slot.resource, 0.0):
            out[slot.name] = (f"the cluster offers {offered.get(slot.resource, 0.0):g} {slot.resource}; "
                              f"start a node with --resources '{{\"{slot.resource}\": N}}'")
    return out


def device_actor(slot: DeviceSlot, options: Any, *, restarts: int) -> Any:
    """One device worker as an actor holding one unit of the device's resource (and no CPU: the
    device is what is scarce; its work is mostly waiting on the device and the model)."""
    import ray

    from ._worker import DeviceWorker

    cls = ray.remote(DeviceWorker)
    return cls.options(resources={slot.resource: 1}, num_cpus=0, max_restarts=restarts, max_task_retries=0,
                       max_concurrency=2, name=None).remote(slot, options)


def model_service_actors(spec: str, *, max_inflight: int, gpus: int, options: dict[str, Any] | None = None) -> list[Any]:
    """One ModelService per GPU (a ``local:`` model with GPUs), else one; each serves ``max_inflight`` calls at once."""
    import ray

    from ._model import ModelService

    cls = ray.remote(ModelService)
    local = spec.strip().lower().startswith("local:")
    count = gpus if local and gpus > 0 else 1
    actors = [cls.options(num_gpus=1 if local and gpus > 0 else 0, num_cpus=0, max_restarts=3, max_task_retries=0,
                          max_concurrency=max_inflight).remote(spec, options) for _ in range(count)]
    ray.get([a.ready.remote() for a in actors])  # a model that cannot load fails here, once, clearly
    return actors
