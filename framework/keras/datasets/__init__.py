"""cf.keras.datasets: mnist (from local IDX files, no download) and digits (offline)."""
from . import digits, mnist

__all__ = ["digits", "mnist"]
