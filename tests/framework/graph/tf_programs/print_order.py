import tensorflow as tf, sys
# ruff: noqa
@tf.function
def f(x):
    print("python print", x.shape)
    tf.print("tf.print 1", x, output_stream=sys.stdout)
    y = x * 2
    tf.print("tf.print 2", y, output_stream=sys.stdout)
    tf.print(y, x, sep=" | ", output_stream=sys.stdout)
    tf.print({"a": x, "b": [y, 3]}, output_stream=sys.stdout)
    return y
f(tf.constant([1, 2])); f(tf.constant([3, 4]))
f(tf.constant([1.5, 2.25, 3.0])); f(tf.constant(7.0))
tf.print("eager", tf.constant([[1, 2], [3, 4]]), output_stream=sys.stdout)
tf.print(tf.range(20), output_stream=sys.stdout)
tf.print(tf.range(20), summarize=-1, output_stream=sys.stdout)
tf.print(tf.constant(["a", "bc"]), output_stream=sys.stdout)
tf.print(tf.constant(1e-7), tf.constant(123456789.0), tf.constant(0.1, tf.float64), output_stream=sys.stdout)
