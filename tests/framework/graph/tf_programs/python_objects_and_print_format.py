import tensorflow as tf
# ruff: noqa
class Obj:
    def __init__(self, v): self.v = v
@tf.function
def h(o):
    print("trace h")
    return o.v * 2
o = Obj(tf.constant(3))
print(h(o).numpy()); o.v = tf.constant(5); print(h(o).numpy())
print(h(Obj(tf.constant(1))).numpy())
print("count h", h.experimental_get_tracing_count())
import sys
tf.print(tf.constant(True), tf.constant([True, False]), tf.constant(2.5, tf.float16), tf.constant([1.0, 2.5]), tf.constant(1e10), tf.constant(-0.0), output_stream=sys.stdout)
tf.print(tf.constant([[1.5, 2.0], [3.0, 4.0]]), tf.constant(3, tf.int64), tf.constant("hi"), "plain", 5, [1, tf.constant(2)], output_stream=sys.stdout)
tf.print(tf.zeros([0]), tf.range(7), summarize=2, output_stream=sys.stdout)
tf.print(tf.reshape(tf.range(24), [2, 3, 4]), summarize=1, output_stream=sys.stdout)
