"""``keras.preprocessing.image``."""
from ..utils.image_utils import (array_to_img, img_to_array, load_img,  # noqa: F401
                                 save_img, smart_resize)
