import tensorflow as tf
# ruff: noqa
@tf.function
def f(x, y=1.0, scale=None):
    out = x * y
    if scale is not None:
        out = out * scale
    return {"out": out, "pair": (out, x)}
c = f.get_concrete_function(tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.float32))
print(sorted(c.structured_outputs.keys()))
print([None if s is None else s.shape for s in c.structured_input_signature[0]], c.structured_input_signature[1])
r = c(tf.constant([1.0, 2.0]), tf.constant(3.0))
print(r["out"].numpy(), r["pair"][1].numpy())
r = c(x=tf.constant([1.0]), y=tf.constant(2.0))
print(r["out"].numpy())
try:
    c(tf.constant([1, 2]), tf.constant(3))
    print("no error")
except (TypeError, ValueError, tf.errors.InvalidArgumentError) as e:
    print("error", type(e).__name__)
print(f(tf.constant([1.0]), scale=2.0)["out"].numpy())
print(f.experimental_get_tracing_count())
c2 = f.get_concrete_function(tf.constant([1.0, 2.0]))
print(c2(tf.constant([5.0, 6.0]))["out"].numpy())
print(len(c2.inputs), [i.dtype.name for i in c2.inputs])
print(type(c.outputs).__name__, len(c.outputs))
@tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
def sig(x):
    return tf.reduce_sum(x, axis=1)
print(sig(tf.ones([3, 2])).numpy())
try:
    sig(tf.ones([3, 3]))
except (TypeError, ValueError) as e:
    print("sig mismatch", type(e).__name__)
print([(s.shape, s.dtype.name, s.name) for s in sig.get_concrete_function().structured_input_signature[0]])
