"""The real TensorBoard server serves what cf.summary writes (slow: starts a server)."""
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import cuflow as cf
import numpy as np
import pytest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def get_json(url, timeout=5):
    return json.loads(get(url, timeout).decode())


@pytest.mark.slow
def test_tensorboard_serves_what_we_write(tmp_path):
    for run, scale in (("train", 1.0), ("validation", 2.0)):
        w = cf.summary.create_file_writer(str(tmp_path / run))
        with w.as_default():
            for step in range(5):
                cf.summary.scalar("loss", scale / (step + 1), step=step)
                cf.summary.histogram("weights", np.arange(10.0) * step, step=step)
            cf.summary.image("img", np.random.rand(2, 5, 7, 3), step=1, max_outputs=2)
            cf.summary.text("note", "**hello**", step=1)
            cf.summary.graph([("x", "Placeholder", []), ("y", "Relu", ["x"])])
        w.close()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(tmp_path),
         "--host", "127.0.0.1", "--port", str(port), "--reload_interval", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    base = f"http://127.0.0.1:{port}"
    try:
        tags, deadline = {}, time.monotonic() + 90
        while time.monotonic() < deadline:  # bounded: server start + first reload
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            try:
                tags = get_json(base + "/data/plugin/scalars/tags")
                if {"train", "validation"} <= set(tags):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        assert "loss" in tags.get("train", {}) and "loss" in tags.get("validation", {}), tags
        for run, scale in (("train", 1.0), ("validation", 2.0)):
            query = urllib.parse.urlencode({"tag": "loss", "run": run})
            points = get_json(f"{base}/data/plugin/scalars/scalars?{query}")
            assert [p[1] for p in points] == list(range(5))
            assert [p[2] for p in points] == [float(np.float32(scale / (s + 1)))
                                              for s in range(5)]
        query = urllib.parse.urlencode({"tag": "weights", "run": "train"})
        hist = get_json(f"{base}/data/plugin/histograms/histograms?{query}")
        assert [h[1] for h in hist] == list(range(5))
        assert get_json(base + "/data/plugin/images/tags")["train"]["img"]["samples"] == 2
        query = urllib.parse.urlencode({"run": "train", "tag": "img", "sample": 1})
        (entry,) = get_json(f"{base}/data/plugin/images/images?{query}")
        png = get(f"{base}/data/plugin/images/individualImage?{entry['query']}")
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (7, 5)  # IHDR width, height
        assert get_json(base + "/data/plugin/text/tags") == {"train": ["note"],
                                                             "validation": ["note"]}
        assert get_json(base + "/data/plugin/graphs/info")["train"]["run_graph"] is True
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, 9)
            proc.wait(timeout=15)
        proc.stderr.close()
