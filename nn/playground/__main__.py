"""`python -m nn.playground`: the same as `glassgrad playground`."""

import sys

from . import main

sys.exit(main())
