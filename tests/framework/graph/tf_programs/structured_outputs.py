import tensorflow as tf
# ruff: noqa
@tf.function
def f(x):
    return {"a": x, "b": [x * 2, (x * 3, "s", None, 4)]}
r = f(tf.constant(1))
print(sorted(r.keys()), r["b"][1][2], r["b"][1][3].numpy(), r["b"][1][3].dtype.name, r["b"][0].numpy())
@tf.function
def none():
    return None
print(none())
@tf.function
def py():
    return 3
print(py().numpy(), py().dtype.name)
@tf.function
def nested(x):
    return f(x)["b"][0] + 1
print(nested(tf.constant(2)).numpy())
@tf.function
def outer(x):
    @tf.function
    def inner(y):
        return y * 10
    return inner(x) + inner(x + 1)
print(outer(tf.constant(1)).numpy())
