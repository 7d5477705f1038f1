"""The second back office of tests/gui/test_two_back_offices.py, in a process of its own on the same
database: `python -m tests.gui.other_back_office DB COMMAND ARGS...`, printing JSON.

claim TOKEN N: N new members claim a voucher each (as the claim site does).
busy TOKEN N: prints "ready", waits for a line on stdin, then N new members claim, one every 10 ms
or so (members arrive over a while, not all in one instant), and every third voucher claimed is
redeemed at this till; prints what it did."""

from __future__ import annotations

import json
import sys
import time


def main(argv: list[str]) -> None:
    location, command, token, count = argv
    from app.core import activity, claims, members, store

    store.open_database(location, create=False)
    till = activity.Actor("Back office 2", "Sam")
    if command == "busy":
        print("ready", flush=True)
        sys.stdin.readline()
    outcomes: dict[str, int] = {}
    redeemed = 0
    for n in range(int(count)):
        member = members.create_member(f"{command}-{n}-{token[:8]}@example.com", "not-a-real-hash", "")
        result = claims.claim(token, member.id)
        outcomes[result.outcome.value] = outcomes.get(result.outcome.value, 0) + 1
        if command == "busy" and result.voucher is not None and outcomes["claimed"] % 3 == 0:
            redeemed += claims.redeem(result.voucher.code, till).outcome is claims.RedeemOutcome.REDEEMED
        if command == "busy":
            time.sleep(0.01)
    store.close_database()
    print(json.dumps({"outcomes": outcomes, "redeemed": redeemed}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
