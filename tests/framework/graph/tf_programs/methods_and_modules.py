import tensorflow as tf
# ruff: noqa
class Dense(tf.Module):
    def __init__(self, n):
        super().__init__()
        self.w = tf.Variable(tf.ones([2, n]), name="w")
        self.calls = 0
    @tf.function
    def __call__(self, x):
        self.calls += 1
        return x @ self.w
a = Dense(3); b = Dense(4)
print(a(tf.ones([1, 2])).shape, b(tf.ones([1, 2])).shape, a(tf.ones([5, 2])).shape)
print(a.calls, b.calls)
print(a.__call__.experimental_get_tracing_count(), b.__call__.experimental_get_tracing_count())
print([v.name for v in a.trainable_variables])
class Poly:
    @tf.function
    def f(self, x):
        return x * 2
p = Poly()
print(p.f(tf.constant(1)).numpy(), p.f(tf.constant(1.5)).numpy(), p.f(tf.constant([1, 2])).numpy())
print(Poly.f.experimental_get_tracing_count() if hasattr(Poly.f, "experimental_get_tracing_count") else "-", p.f.experimental_get_tracing_count())
