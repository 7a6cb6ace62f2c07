import sys

from recdemo.cli import main

sys.exit(main())
