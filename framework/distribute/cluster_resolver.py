"""``cf.distribute.cluster_resolver``: who is in the cluster and who am I (from TF_CONFIG or
given directly), as TF's resolvers report it.

>>> import cuflow as cf, json, os
>>> os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": ["h1:2222", "h2:2222"]},
...                                       "task": {"type": "worker", "index": 1}})
>>> r = cf.distribute.cluster_resolver.TFConfigClusterResolver()
>>> r.task_type, r.task_id, r.master(rpc_layer="grpc")
('worker', 1, 'grpc://h2:2222')
>>> del os.environ["TF_CONFIG"]
"""
from __future__ import annotations

import collections
import json
import os

from ..train_extra import ClusterSpec


class ClusterResolver:
    """Base class: ``cluster_spec()``, ``master()``, ``task_type``, ``task_id``,
    ``num_accelerators()``, ``rpc_layer``, ``environment``."""

    task_type = None
    task_id = None
    rpc_layer = None
    environment = ""

    def cluster_spec(self):
        raise NotImplementedError("ClusterResolver subclasses define cluster_spec()")

    def master(self, task_type=None, task_id=None, rpc_layer=None):
        raise NotImplementedError("ClusterResolver subclasses define master()")

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None):
        """Local accelerators by type (``{'GPU': n}``; empty without GPUs)."""
        from .. import backend
        out = collections.defaultdict(int)
        n = backend.gpu_count()
        if n:
            out["GPU"] = n
        return out


def _address(spec, task_type, task_id, rpc_layer):
    if task_type is None or task_id is None:
        return ""
    addr = spec.task_address(task_type, task_id)
    return f"{rpc_layer}://{addr}" if rpc_layer else addr


class SimpleClusterResolver(ClusterResolver):
    """A resolver holding what it is given."""

    def __init__(self, cluster_spec, master="", task_type=None, task_id=None, environment="",
                 num_accelerators=None, rpc_layer=None):
        if not isinstance(cluster_spec, ClusterSpec):
            raise TypeError("cluster_spec must be a `tf.train.ClusterSpec`.")
        self._cluster_spec = cluster_spec
        self._master = master
        self.task_type, self.task_id = task_type, task_id
        self.environment = environment
        self._num_accelerators = dict(num_accelerators or {})
        self.rpc_layer = rpc_layer

    def cluster_spec(self):
        return self._cluster_spec

    def master(self, task_type=None, task_id=None, rpc_layer=None):
        if task_type is not None and task_id is not None:
            return _address(self._cluster_spec, task_type, task_id,
                            rpc_layer or self.rpc_layer)
        return self._master

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None):
        return self._num_accelerators


class TFConfigClusterResolver(ClusterResolver):
    """Reads the ``TF_CONFIG`` environment variable (JSON: ``cluster``, ``task`` {type,
    index}, ``rpc_layer``, ``environment``) each time it is asked."""

    def __init__(self, task_type=None, task_id=None, rpc_layer=None, environment=None):
        self._task_type, self._task_id = task_type, task_id
        self._rpc_layer, self._environment = rpc_layer, environment

    @staticmethod
    def _config():
        return json.loads(os.environ.get("TF_CONFIG", "{}") or "{}")

    @property
    def task_type(self):
        if self._task_type is not None:
            return self._task_type
        task = self._config().get("task", {})
        return str(task["type"]) if "type" in task else None

    @task_type.setter
    def task_type(self, value):
        self._task_type = value

    @property
    def task_id(self):
        if self._task_id is not None:
            return self._task_id
        task = self._config().get("task", {})
        return int(task["index"]) if "index" in task else None

    @task_id.setter
    def task_id(self, value):
        self._task_id = value

    @property
    def rpc_layer(self):
        return self._rpc_layer if self._rpc_layer is not None else \
            self._config().get("rpc_layer")

    @rpc_layer.setter
    def rpc_layer(self, value):
        self._rpc_layer = value

    @property
    def environment(self):
        return self._environment if self._environment is not None else \
            self._config().get("environment")

    def cluster_spec(self):
        return ClusterSpec(self._config().get("cluster", {}))

    def master(self, task_type=None, task_id=None, rpc_layer=None):
        """``<rpc_layer>://<address>`` of a task (default: this one), '' if unknown."""
        task_type = self.task_type if task_type is None else task_type
        task_id = self.task_id if task_id is None else task_id
        spec = self.cluster_spec()
        if task_type is None or task_id is None or task_type not in spec.jobs:
            return ""
        return _address(spec, task_type, task_id, rpc_layer or self.rpc_layer)
