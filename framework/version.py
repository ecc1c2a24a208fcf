"""``cf.version``: version strings (``tf.version``)."""
from . import __version__

VERSION = __version__
GIT_VERSION = "unknown"
COMPILER_VERSION = "python"
GRAPH_DEF_VERSION = 0
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0
