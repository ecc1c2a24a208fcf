import tensorflow as tf
# ruff: noqa
@tf.function
def f(x):
    print("trace", type(x).__name__ if not hasattr(x, "dtype") else x.dtype.name)
    return x
f(1); f(2); f(1); f(1.0); f(True)
f(tf.constant(1)); f(tf.constant(2)); f(tf.constant(1.0)); f(tf.constant([1, 2])); f(tf.constant([3, 4]))
print("count", f.experimental_get_tracing_count())
@tf.function
def g(xs):
    print("trace g", len(xs) if isinstance(xs, (list, tuple, dict)) else xs)
    return xs
g([tf.constant(1), tf.constant(2)]); g([tf.constant(3), tf.constant(4)]); g([tf.constant(1)])
g((tf.constant(1), tf.constant(2))); g({"a": tf.constant(1)}); g({"a": tf.constant(2)}); g({"b": tf.constant(2)})
g([1, 2]); g([1, 2]); g([1, 3])
print("count g", g.experimental_get_tracing_count())
import collections
P = collections.namedtuple("P", ["a", "b"])
g(P(tf.constant(1), tf.constant(2.0))); g(P(tf.constant(5), tf.constant(6.0)))
print("count g nt", g.experimental_get_tracing_count())
out = g(P(tf.constant(1), tf.constant(2.0)))
print(type(out).__name__, out.a.numpy(), out.b.numpy())
