"""Writes TFRecord fixtures with real TensorFlow (run once; the files are committed).

    .venv-tf/bin/python tests/framework/data/make_tf_fixtures.py
"""
import os

import tensorflow as tf

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def example(i):
    return tf.train.Example(features=tf.train.Features(feature={
        "id": tf.train.Feature(int64_list=tf.train.Int64List(value=[i, -i])),
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[i * 0.5])),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"n%d" % i])),
    })).SerializeToString()


def main():
    os.makedirs(HERE, exist_ok=True)
    for kind, suffix in (("", ""), ("GZIP", ".gz"), ("ZLIB", ".zlib")):
        path = os.path.join(HERE, f"tf_examples.tfrecord{suffix}")
        with tf.io.TFRecordWriter(path, tf.io.TFRecordOptions(compression_type=kind)) as w:
            for i in range(3):
                w.write(example(i))
    single = tf.train.Example(features=tf.train.Features(feature={
        "a": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 2]))}))
    with open(os.path.join(HERE, "tf_single_example.bin"), "wb") as f:
        f.write(single.SerializeToString())


if __name__ == "__main__":
    main()
