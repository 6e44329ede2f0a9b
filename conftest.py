"""Repository-wide pytest setup: headless plotting for tests and notebook kernels."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
