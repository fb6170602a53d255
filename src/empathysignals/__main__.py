"""``python -m empathysignals`` is the ``empathysignals`` command."""

import sys

from .cli import main

sys.exit(main())
