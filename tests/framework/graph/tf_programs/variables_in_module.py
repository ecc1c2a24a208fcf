import tensorflow as tf
# ruff: noqa
class M(tf.Module):
    def __init__(self):
        self.v = None
    @tf.function
    def __call__(self, x):
        print("trace")
        if self.v is None:
            self.v = tf.Variable(tf.ones_like(x))
        return self.v * x
m = M()
print(m(tf.constant([1.0, 2.0])).numpy())
print(m.__call__.experimental_get_tracing_count())
print(m(tf.constant([3.0, 4.0])).numpy())
print(m(tf.constant([3.0, 4.0, 5.0])).numpy())
print(m.__call__.experimental_get_tracing_count())
