"""What the child processes of the race and kill tests run: `python -m tests.core.workers CMD DB ARGS...`.

claim/redeem/undo workers print "ready" once the database is open, wait for a line on stdin so that all of
them start at the same moment, then print their outcomes as JSON. generate prints its progress."""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> None:
    command, path, *rest = argv
    from app.core import activity, batches, claims, store

    store.open_database(path)
    if command == "generate":
        template_id, quantity = map(int, rest)

        def progress(done: int, total: int) -> None:
            print(f"progress {done} {total}", flush=True)

        batches.create_batch("Killed midway", template_id, quantity, "Email", progress=progress)
        print("finished", flush=True)
        return
    if command == "delete":  # the batch at once, then its vouchers a chunk at a time, each chunk said
        batch_id, chunk = map(int, rest)
        batches.delete_batch(batch_id, purge_now=False)
        print("deleted", flush=True)

        def next_chunk() -> bool:
            print("chunk", flush=True)
            return False

        batches.purge_deleted(chunk=chunk, should_stop=next_chunk)
        print("finished", flush=True)
        return
    print("ready", flush=True)
    sys.stdin.readline()
    results = []
    if command == "claim":
        token, *member_ids = rest
        for member_id in map(int, member_ids):
            result = claims.claim(token, member_id)
            results.append([member_id, result.outcome.value, result.voucher.code if result.voucher else None])
    elif command == "redeem":
        for code in rest:
            results.append([code, claims.redeem(code).outcome.value])
    elif command == "undo":
        till, *undo_codes = rest
        for code in undo_codes:
            result = claims.undo_redemption(code, "scanned by mistake", activity.Actor(till, "Worker"))
            results.append([code, result.outcome.value])
    else:
        raise SystemExit(f"unknown command {command}")
    store.close_database()
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
