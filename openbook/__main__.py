import sys

from openbook.cli import main

sys.exit(main())
