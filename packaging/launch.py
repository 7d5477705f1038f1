"""The bundle's entry point: the same `voucher-batches` command."""

import sys

from app.launch import main

sys.exit(main())
