"""`python -m micrograd_gui`: the same as the `micrograd-gui` command."""

import sys

from micrograd_gui.cli import main

sys.exit(main())
