"""``cf.keras.datasets``: Keras's loaders read the files Keras caches under
``~/.keras/datasets``, downloading them from Keras's URLs first when missing (see
``keras.utils.get_file``; ``CUFLOW_OFFLINE=1``: a FileNotFoundError naming the file and
its URL instead). ``digits`` is scikit-learn's bundled set, always offline."""
from . import (boston_housing, california_housing, cifar10, cifar100, digits,  # noqa: F401
               fashion_mnist, imdb, mnist, reuters)
