"""``cf.image``: resizing, flips, crops and pads, colour and dtype conversion, codecs,
quality metrics (SSIM, PSNR), Sobel edges, non-max suppression, crop_and_resize."""
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
# --- tf-compat --- (the names image-io also defines come from its modules below)
from .ops.image_color import (rgb_to_yiq, rgb_to_yuv,  # noqa: F401
                              stateless_random_brightness, stateless_random_contrast,
                              stateless_random_crop, yiq_to_rgb, yuv_to_rgb)
from .ops.image_boxes import draw_bounding_boxes  # noqa: F401
# --- image-io ---
from .ops.image_box_ops import (combined_non_max_suppression,  # noqa: F401
                                crop_and_resize, non_max_suppression,
                                non_max_suppression_padded, non_max_suppression_with_scores)
from .ops.image_codec_ops import (decode_and_crop_jpeg, decode_bmp,  # noqa: F401
                                  decode_gif, decode_image, decode_jpeg, decode_png,
                                  decode_webp, encode_jpeg, encode_png, extract_jpeg_shape,
                                  is_jpeg)
# --- tfguides ---
from .ops.image_codec_ops import (adjust_jpeg_quality, random_jpeg_quality,  # noqa: F401
                                  stateless_random_jpeg_quality)
from .ops.image_color_ops import (adjust_hue, adjust_saturation, hsv_to_rgb,  # noqa: F401
                                  random_hue, random_saturation, rgb_to_hsv,
                                  stateless_random_hue, stateless_random_saturation)
from .ops.image_quality_ops import psnr, sobel_edges, ssim, ssim_multiscale  # noqa: F401
# --- apis3 ---
from .ops.image_extra_ops import (extract_glimpse, non_max_suppression_overlaps,  # noqa: F401,E402
                                  sample_distorted_bounding_box,
                                  stateless_sample_distorted_bounding_box)
