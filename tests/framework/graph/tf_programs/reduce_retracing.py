import tensorflow as tf
# ruff: noqa
@tf.function(reduce_retracing=True)
def f(x):
    print("trace", x.shape)
    return tf.reduce_sum(x)
for n in [1, 2, 3, 4, 5]:
    f(tf.ones([n]))
print("count", f.experimental_get_tracing_count())

@tf.function(experimental_relax_shapes=True)
def g(x):
    print("trace g", x.shape)
    return x
for n in [1, 2, 3]:
    g(tf.ones([n]))
print("count g", g.experimental_get_tracing_count())
@tf.function
def h(x):
    print("trace h", x.shape)
    return x
for n in [1, 2, 3, 4]:
    h(tf.ones([n]))
print("count h", h.experimental_get_tracing_count())
