"""What every suite's tests share. Where things live:

- fixtures in the conftest.py of the suite that uses them (tests/conftest.py for all), where pytest finds them;
- plain helpers of one suite in its helpers.py (tests/core/helpers.py, tests/gui/helpers.py, tests/web/helpers.py);
- plain helpers of more than one suite here: database.py (the test database and old schema versions),
  ports.py, pg_cluster.py (a PostgreSQL server of a test's own), other_program.py (another program's locks),
  serving.py (`voucher-batches serve` in a process of its own).

A test module imports from these, never from another test module."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout
