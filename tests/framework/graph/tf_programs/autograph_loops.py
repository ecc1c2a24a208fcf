import tensorflow as tf
# ruff: noqa
@tf.function
def f(n):
    s = tf.constant(0)
    for i in tf.range(n):
        if i > 5:
            break
        if i % 2 == 0:
            continue
        s += i
    return s
print(f(tf.constant(10)).numpy(), f(tf.constant(3)).numpy())
@tf.function
def g(x):
    while tf.reduce_sum(x) < 100:
        x = x * 2
    return x
print(g(tf.constant([1.0, 2.0])).numpy())
@tf.function
def h(x):
    for i in range(3):
        x = x + i
    return x
print(h(tf.constant(0)).numpy())
@tf.function
def ds_sum(ds):
    total = tf.constant(0, tf.int64)
    for batch in ds:
        total += tf.reduce_sum(batch)
    return total
ds = tf.data.Dataset.range(10).batch(3)
print(ds_sum(ds).numpy())
@tf.function
def ret(x):
    for i in tf.range(10):
        if i == x:
            return i * 10
    return tf.constant(-1)
print(ret(tf.constant(3)).numpy(), ret(tf.constant(20)).numpy())
@tf.function
def cond_py(x, flag):
    if flag:
        return x + 1
    return x - 1
print(cond_py(tf.constant(1), True).numpy(), cond_py(tf.constant(1), False).numpy(), cond_py.experimental_get_tracing_count())
@tf.function
def cond_t(x):
    if x > 0:
        y = x * 2
    else:
        y = -x
    return y
print(cond_t(tf.constant(3)).numpy(), cond_t(tf.constant(-3)).numpy(), cond_t.experimental_get_tracing_count())
