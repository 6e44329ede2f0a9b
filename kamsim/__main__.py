"""``python -m kamsim`` is the same as the ``kamsim`` command."""

import sys

from kamsim.cli import main

sys.exit(main())
