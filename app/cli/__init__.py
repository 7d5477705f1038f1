"""The `voucher-batches` command: no arguments opens the window; subcommands script the same services.

Each command group is a module here that adds its subcommands to the parser and names the function
that runs each (`set_defaults(run=...)`), so the list of commands exists once, in the parser.
Exit codes: 0 done, 1 refused (by a rule of the spec, or the database), 2 bad usage, 130 interrupted.
"""

from .common import FrontEnds
from .main import build_parser, main

__all__ = ["FrontEnds", "build_parser", "main"]
