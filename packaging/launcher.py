"""Entry point of the desktop bundle: no arguments (a double-click) opens the app,
arguments run the command line (``photodedup scan ...``, ``photodedup selftest``)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-psn_"):  # macOS passes -psn_… on a Finder launch
        from photodedup.cli import main

        sys.exit(main())
    from photodedup.gui.app import main as gui_main

    sys.exit(gui_main([]))
