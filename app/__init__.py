"""Voucher Batches: create, share, monitor and redeem batches of unique store vouchers."""

__version__ = "0.1.0"
