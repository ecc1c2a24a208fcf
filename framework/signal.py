"""``cf.signal``: FFTs, windows, framing, STFT, DCT and mel filterbanks (``tf.signal``)."""
from .ops.signal_frames import dct, frame, idct, inverse_stft  # noqa: F401
from .ops.signal_frames import hamming_window, hann_window, kaiser_window  # noqa: F401
from .ops.signal_frames import kaiser_bessel_derived_window, vorbis_window  # noqa: F401
from .ops.signal_frames import inverse_stft_window_fn, overlap_and_add, stft  # noqa: F401
from .ops.signal_frames import linear_to_mel_weight_matrix  # noqa: F401
from .ops.signal_frames import mfccs_from_log_mel_spectrograms  # noqa: F401
from .ops.signal_ops import fft, fft2d, fft3d, fftshift, ifft, ifft2d, ifft3d  # noqa: F401
from .ops.signal_ops import ifftshift, irfft, irfft2d, irfft3d, rfft, rfft2d  # noqa: F401
from .ops.signal_ops import rfft3d  # noqa: F401
# --- apis3 ---
from .ops.signal_nd import fftnd, ifftnd, inverse_mdct, irfftnd, mdct, rfftnd  # noqa: F401,E402
