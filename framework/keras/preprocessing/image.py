"""``tf.keras.preprocessing.image``: image file helpers and Keras 2's legacy augmentation
API (``ImageDataGenerator``, its iterators, the NumPy transforms)."""
from ..utils.image_utils import (array_to_img, img_to_array, load_img,  # noqa: F401
                                 save_img, smart_resize)
from .image_generator import ImageDataGenerator  # noqa: F401
from .image_iterators import DirectoryIterator, Iterator, NumpyArrayIterator  # noqa: F401
from .image_transforms import (apply_affine_transform, apply_brightness_shift,  # noqa: F401
                               apply_channel_shift, random_brightness, random_channel_shift,
                               random_rotation, random_shear, random_shift, random_zoom)
