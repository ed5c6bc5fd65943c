import sys

from holdtrack.cli import main

sys.exit(main())
