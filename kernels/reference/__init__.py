"""NumPy reference implementations: the truth every cpu/ and cuda/ kernel is tested against."""
