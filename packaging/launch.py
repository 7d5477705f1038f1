"""The bundle's entry point: the same `voucher-batches` command."""

import sys

from app.cli import main

sys.exit(main())
