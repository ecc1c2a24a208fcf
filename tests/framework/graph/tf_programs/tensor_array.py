import tensorflow as tf
# ruff: noqa
x = tf.constant([1.0, 2.0, 3.0])
with tf.GradientTape() as t:
    t.watch(x)
    ta = tf.TensorArray(tf.float32, size=3)
    for i in range(3):
        ta = ta.write(i, x[i] * x[i])
    y = tf.reduce_sum(ta.stack())
print(t.gradient(y, x).numpy())
@tf.function
def g(x):
    with tf.GradientTape() as t:
        t.watch(x)
        ta = tf.TensorArray(tf.float32, size=3)
        for i in tf.range(3):
            ta = ta.write(i, x[i] * x[i])
        y = tf.reduce_sum(ta.stack())
    return t.gradient(y, x)
print(g(x).numpy())
print(tf.TensorArray(tf.float32, size=0, dynamic_size=True, element_shape=[2]).element_shape)
@tf.function(input_signature=[tf.TensorSpec([None, 2])])
def rows(x):
    ta = tf.TensorArray(tf.float32, size=tf.shape(x)[0])
    for i in tf.range(tf.shape(x)[0]):
        ta = ta.write(i, tf.reduce_sum(x[i]) * tf.ones([3]))
    return ta.stack()
print(rows(tf.ones([4, 2])).numpy())
print(rows.get_concrete_function().structured_outputs.shape)
@tf.function
def evens(n):
    ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
    j = 0
    for i in tf.range(n):
        if i % 2 == 0:
            ta = ta.write(j, i)
            j += 1
    return ta.stack(), ta.size()
s, k = evens(tf.constant(7))
print(s.numpy(), k.numpy())
