import tensorflow as tf
# ruff: noqa
log = []
@tf.function
def f(x):
    log.append(x)
    return x + 1
f(tf.constant(1)); f(tf.constant(2)); f(tf.constant(3.0))
print(len(log))
it = iter([1, 2, 3])
@tf.function
def g(x):
    return x + next(it)
print(g(tf.constant(0)).numpy(), g(tf.constant(0)).numpy())
ext = [0]
@tf.function
def h():
    ext[0] += 1
    return tf.constant(ext[0])
print(h().numpy(), h().numpy(), ext[0])
