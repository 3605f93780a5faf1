"""``python -m knowledge.directory``: see ``knowledge.directory.cli``."""
import sys

from knowledge.directory.cli import main

sys.exit(main())
