"""``cf.image``: resizing, flips, crops and pads, colour and dtype conversion."""
from .ops.conv_ops import extract_patches  # noqa: F401
from .ops.image_ops import (ResizeMethod, adjust_brightness, adjust_contrast,  # noqa: F401
                            adjust_gamma, central_crop, convert_image_dtype,
                            crop_to_bounding_box, flip_left_right, flip_up_down,
                            grayscale_to_rgb, image_gradients, pad_to_bounding_box,
                            per_image_standardization, random_brightness, random_contrast,
                            random_crop, random_flip_left_right, random_flip_up_down, resize,
                            resize_with_crop_or_pad, resize_with_pad, rgb_to_grayscale, rot90,
                            stateless_random_flip_left_right, stateless_random_flip_up_down,
                            total_variation, transpose)
# --- tf-compat ---
from .ops.image_boxes import (crop_and_resize, draw_bounding_boxes,  # noqa: F401,E402
                               non_max_suppression)
from .ops.image_color import (adjust_hue, adjust_saturation, hsv_to_rgb, psnr,  # noqa: F401,E402
                              random_hue, random_saturation, rgb_to_hsv, rgb_to_yiq,
                              rgb_to_yuv, sobel_edges, ssim, stateless_random_brightness,
                              stateless_random_contrast, stateless_random_crop,
                              stateless_random_hue, stateless_random_saturation,
                              yiq_to_rgb, yuv_to_rgb)
