"""``python -m livecalc``: the same as the ``livecalc`` command."""

import sys

from .cli import main

sys.exit(main())
