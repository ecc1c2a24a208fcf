import tensorflow as tf
# ruff: noqa
class M(tf.Module):
    def __init__(self):
        self.v = None
    @tf.function
    def __call__(self, x):
        if self.v is None:
            self.v = tf.Variable(tf.ones_like(x))
        return self.v * x
m = M()
print(m(tf.constant([1.0, 2.0])).numpy())
print(m(tf.constant([3.0, 4.0])).numpy())
print(len(m.trainable_variables), [v.name for v in m.variables])
@tf.function
def bad(x):
    v = tf.Variable(1.0)
    return v + x
print(bad(tf.constant(1.0)).numpy())
try:
    bad(tf.constant([1.0, 2.0]))
    print("no error")
except ValueError as e:
    print("ValueError", "non-first" in str(e) or "first call" in str(e) or "once" in str(e))
v = tf.Variable(1.0)
@tf.function
def inc():
    v.assign_add(1.0)
    v.assign(v * 2)
    return v.read_value()
print(inc().numpy(), inc().numpy(), v.numpy())
