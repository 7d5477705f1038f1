"""Fixtures for the core tests, on top of tests/conftest.py's database, template, batch and member."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from app.core import claims
from app.core.claims import ClaimOutcome


@pytest.fixture
def claim_some(make_member):
    """claim_some(batch, n): n new members each claim one voucher of batch; returns their vouchers."""

    def claim_some(batch, n):
        vouchers = []
        for _ in range(n):
            result = claims.claim(batch.token, make_member().id)
            assert result.outcome is ClaimOutcome.CLAIMED
            vouchers.append(result.voucher)
        return vouchers

    return claim_some


# Hypothesis keeps its files outside the checkout: a .hypothesis folder there makes pytest (whose
# norecursedirs replaces the default ignores) warn, and warnings are errors. No deadline: a busy
# 2-core machine makes timings flaky.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "voucher-batches-hypothesis")
settings.register_profile("core", deadline=None)
settings.load_profile("core")
