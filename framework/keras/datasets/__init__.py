"""``cf.keras.datasets``: offline loaders (nothing is downloaded)."""
from . import digits, mnist  # noqa: F401
