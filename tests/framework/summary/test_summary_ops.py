"""Plugin summaries read back by TensorBoard's EventAccumulator: exact values and formats."""
import io
import struct
import wave
import zlib

import cuflow as cf
import numpy as np
import pytest
from cuflow.summary import _encode
from tensorboard.plugins.histogram import summary_v2 as tb_histogram
from tensorboard.util import tensor_util

from .helpers import load, plugin, values


@pytest.fixture
def logdir(tmp_path):
    w = cf.summary.create_file_writer(str(tmp_path))
    w.set_as_default()
    yield tmp_path
    w.close()


def reload(logdir):
    cf.summary.flush()
    return load(logdir)


def decode_png(data):
    """Minimal PNG decoder for the files we write (8-bit, filter 0): (h, w, c) uint8."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body)
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    w, h, depth, color = header[:4]
    c = {0: 1, 4: 2, 2: 3, 6: 4}[color]
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + w * c)
    assert depth == 8 and (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(h, w, c)


def test_scalars_exact(logdir):
    for step, v in enumerate([0.5, 1.25, -3.0, 1e-8]):
        assert cf.summary.scalar("loss", v, step=step)
    cf.summary.scalar("acc", np.float64(0.75), step=10, description="accuracy")
    cf.summary.scalar("t", cf.constant(2.5), step=11)
    cf.summary.scalar("i", np.int32(7), step=12)
    acc = reload(logdir)
    got = values(acc, "loss")
    assert [s for s, _ in got] == [0, 1, 2, 3]
    assert [v.dtype for _, v in got] == [np.float32] * 4
    assert [v.item() for _, v in got] == [np.float32(x).item() for x in [0.5, 1.25, -3.0, 1e-8]]
    assert plugin(acc, "loss") == "scalars"
    assert acc.SummaryMetadata("acc").summary_description == "accuracy"
    assert values(acc, "t")[0][1].item() == 2.5 and values(acc, "i")[0][1].item() == 7.0


@pytest.mark.parametrize("buckets", [None, 1, 7])
def test_histogram_buckets_match_numpy_and_tensorboard(logdir, buckets):
    data = np.random.default_rng(0).normal(size=(40, 25)).astype(np.float32)
    cf.summary.histogram("w", data, step=3, buckets=buckets)
    (step, h), = values(reload(logdir), "w")
    k = 30 if buckets is None else buckets
    assert step == 3 and h.shape == (k, 3) and h.dtype == np.float64
    flat = data.astype(np.float64).ravel()
    edges = np.linspace(flat.min(), flat.max(), k + 1)
    counts, _ = np.histogram(flat, bins=edges)
    np.testing.assert_array_equal(h[:, 2], counts)
    np.testing.assert_array_equal(h[:, 0], edges[:-1])
    assert h[-1, 1] == flat.max() and h[0, 0] == flat.min()
    ref = tb_histogram.histogram_pb("w", data, buckets=k)  # TensorBoard's NumPy version
    np.testing.assert_array_equal(h, tensor_util.make_ndarray(ref.value[0].tensor))
    assert plugin(load(logdir), "w") == "histograms"


def test_histogram_edge_cases():
    assert _encode.histogram_buckets([], 5).shape == (5, 3)
    assert not _encode.histogram_buckets([], 5).any()
    assert _encode.histogram_buckets([1.0, 2.0], 0).shape == (0, 3)
    same = _encode.histogram_buckets(np.full(9, 4.0), 3)
    np.testing.assert_array_equal(same, [[4, 4, 0], [4, 4, 0], [4, 4, 9]])
    with_nan = _encode.histogram_buckets([0.0, np.nan, 1.0, np.inf], 2)
    np.testing.assert_array_equal(with_nan[:, 2], [1, 1])
    # values on an inner edge go right (closed-open buckets); the max goes in the last
    np.testing.assert_array_equal(_encode.histogram_buckets([0, 1, 2, 3, 4], 4)[:, 2],
                                  [1, 1, 1, 2])


def test_histogram_of_cuflow_tensor(logdir):
    cf.summary.histogram("t", cf.constant([[1.0, 2.0], [3.0, 4.0]]), step=0, buckets=2)
    (_, h), = values(reload(logdir), "t")
    np.testing.assert_array_equal(h, [[1, 2.5, 2], [2.5, 4, 2]])


def test_images_uint8_and_float(logdir):
    rng = np.random.default_rng(1)
    u8 = rng.integers(0, 256, size=(5, 6, 7, 3), dtype=np.uint8)
    assert cf.summary.image("u8", u8, step=1, max_outputs=2)
    fl = np.array([[[[0.0], [0.5]], [[1.0], [2.0]]]], dtype=np.float32)  # 1 x 2 x 2 x 1
    cf.summary.image("f", fl, step=2)
    cf.summary.image("rgba", rng.random((1, 3, 4, 4)), step=3)
    acc = reload(logdir)
    (step, t), = values(acc, "u8")
    assert step == 1 and plugin(acc, "u8") == "images"
    assert t.shape == (4,) and t[0] == b"7" and t[1] == b"6"  # width, height, 2 PNGs
    for i in range(2):
        np.testing.assert_array_equal(decode_png(t[2 + i]), u8[i])
    (_, f), = values(acc, "f")
    np.testing.assert_array_equal(decode_png(f[2])[..., 0], [[0, 127], [255, 255]])
    (_, rgba), = values(acc, "rgba")
    assert decode_png(rgba[2]).shape == (3, 4, 4)


def test_image_png_decodes_with_pillow():
    pil = pytest.importorskip("PIL.Image")
    img = np.random.default_rng(2).integers(0, 256, size=(9, 11, 3), dtype=np.uint8)
    decoded = np.asarray(pil.open(io.BytesIO(_encode.encode_png(img))))
    np.testing.assert_array_equal(decoded, img)


def test_image_conversion_matches_convert_image_dtype():
    np.testing.assert_array_equal(_encode.to_uint8_images(np.array([0, 65535, 256], np.uint16)),
                                  [0, 255, 1])
    np.testing.assert_array_equal(_encode.to_uint8_images(np.array([-5, 127], np.int8)),
                                  [0, 254])
    np.testing.assert_array_equal(_encode.to_uint8_images(np.array([-1.0, np.nan, 0.999])),
                                  [0, 0, 255])


def test_image_bad_shape(logdir):
    with pytest.raises(ValueError, match=r"\[k, h, w, c\]"):
        cf.summary.image("bad", np.zeros((4, 4, 3)), step=0)
    with pytest.raises(ValueError, match="c in"):
        cf.summary.image("bad", np.zeros((1, 4, 4, 5)), step=0)


def test_text(logdir):
    cf.summary.text("note", "**héllo**", step=0)
    cf.summary.text("table", np.array([["a", "b"], ["c", "d"]]), step=1)
    acc = reload(logdir)
    (_, t), = values(acc, "note")
    assert t.item() == "**héllo**".encode() and plugin(acc, "note") == "text"
    (_, table), = values(acc, "table")
    assert table.shape == (2, 2) and table[1, 0] == b"c"
    with pytest.raises(TypeError):
        cf.summary.text("bad", np.array([1, 2]), step=0)


def test_audio(logdir):
    t = np.linspace(0, 1, 800, endpoint=False)
    clips = np.stack([np.sin(2 * np.pi * 5 * t), 0.5 * np.ones_like(t)])[:, :, None]
    assert cf.summary.audio("snd", clips, sample_rate=800, step=4, max_outputs=1)
    acc = reload(logdir)
    (step, a), = values(acc, "snd")
    assert step == 4 and a.shape == (1, 2) and plugin(acc, "snd") == "audio"
    with wave.open(io.BytesIO(a[0, 0])) as f:
        assert (f.getframerate(), f.getnchannels(), f.getsampwidth()) == (800, 1, 2)
        pcm = np.frombuffer(f.readframes(f.getnframes()), "<i2")
    np.testing.assert_allclose(pcm / 32768.0, clips[0, :, 0], atol=1 / 32768 + 1e-9)
    with pytest.raises(ValueError, match="encoding"):
        cf.summary.audio("snd", clips, 800, step=0, encoding="mp3")


def test_generic_write_scopes_and_lazy_tensor(logdir):
    calls = []

    def lazy():
        calls.append(1)
        return np.arange(3, dtype=np.int64)
    with cf.summary.record_if(False):
        assert cf.summary.write("lazy", lazy, step=0) is False
    assert calls == []
    with cf.summary.experimental.summary_scope("outer") as (tag, scope):
        assert (tag, scope) == ("outer", "outer/")
        assert cf.summary.write("lazy", lazy, step=5)  # write() takes its tag verbatim
        cf.summary.scalar("x", 1.0, step=0)  # plugin ops are scoped
    assert calls == [1]
    acc = reload(logdir)
    (step, v), = values(acc, "lazy")
    assert step == 5 and v.tolist() == [0, 1, 2]
    assert values(acc, "outer/x")[0][1].item() == 1.0


def test_tags_follow_name_scopes(logdir):
    if not hasattr(cf, "name_scope"):
        pytest.skip("this core has no cf.name_scope")
    with cf.name_scope("block"):
        cf.summary.scalar("loss", 1.0, step=0)
        with cf.summary.experimental.summary_scope("hist") as (tag, scope):
            assert (tag, scope) == ("block/hist", "block/hist/")
            with cf.name_scope("inner"):
                cf.summary.histogram("w", [1.0, 2.0], step=0)
    tags = reload(logdir).Tags()["tensors"]
    assert "block/loss" in tags and "block/hist/inner/w" in tags


def test_write_raw_pb(logdir):
    from tensorboard.compat.proto import summary_pb2
    raw = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="raw", simple_value=1.5)])
    assert cf.summary.experimental.write_raw_pb(raw.SerializeToString(), step=2)
    acc = reload(logdir)
    assert [(e.step, e.value) for e in acc.Scalars("raw")] == [(2, 1.5)]


def test_summaries_inside_cf_function_write_at_run_time_in_order(logdir):
    writer = cf.summary.create_file_writer(logdir)

    @cf.function
    def f(x, step):
        with writer.as_default():
            cf.summary.scalar("inside", cf.reduce_sum(x), step=step)
            cf.summary.histogram("hist", x, step=step)
        return x * 2

    for s in range(3):
        f(cf.constant([1.0, 2.0]) * float(s), cf.constant(s, cf.int64))
    writer.flush()
    assert f.experimental_get_tracing_count() == 1  # one trace, three writes at run time
    acc = reload(logdir)
    got = [(e.step, float(tensor_util.make_ndarray(e.tensor_proto)))
           for e in acc.Tensors("inside")]
    assert got == [(0, 0.0), (1, 3.0), (2, 6.0)]
    assert [e.step for e in acc.Tensors("hist")] == [0, 1, 2]
