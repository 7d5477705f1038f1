"""python -m app.cli: the same as the voucher-batches command."""

import sys

from app.launch import main

sys.exit(main())
