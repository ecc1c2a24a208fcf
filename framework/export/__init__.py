"""Export paths: ``cf.saved_model`` (cuflow's own, non-executable SavedModel directory).

Kept light: nothing here is imported at ``import cuflow``; ``cf.saved_model`` loads
``export.saved_model`` on first use.
"""
