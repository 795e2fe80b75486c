"""Entry point for ``python -m photodedup``."""

import sys

from photodedup.cli import main

if __name__ == "__main__":
    sys.exit(main())
