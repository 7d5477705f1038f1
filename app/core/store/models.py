"""The tables. Every rule that the schema can hold is declared here, as the last line of defence."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar, overload

from peewee import (
    SQL,
    AutoField,
    BigIntegerField,
    CharField,
    Check,
    CompositeKey,
    Context,
    DateField,
    DateTimeField,
    DecimalField,
    DoubleField,
    ForeignKeyField,
    IntegerField,
    Model,
    NodeList,
    SmallIntegerField,
    SqliteDatabase,
    TextField,
)

from .handle import database

CHANNELS = ("Email", "SMS", "In-store QR", "Social media", "Events", "Website", "Other")
BATCH_STATUSES = ("active", "paused")  # as stored: the manager's pause (app.core.schedule says the state)
VOUCHER_STATUSES = ("unclaimed", "claimed", "redeemed")  # stored as their index
UNCLAIMED, CLAIMED, REDEEMED = range(3)
MAX_QUANTITY = 1_000_000


_fixed_now: datetime | None = None


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo: what every timestamp column stores (the one clock of the core)."""
    if _fixed_now is not None:
        return _fixed_now
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def database_now() -> tuple[str, dict[str, object]]:
    """Now as the database's clock tells it, as a piece of SQL to put in a statement (naive UTC, whole
    seconds) with its parameters; the test clock instead while set_clock holds one. A claim decides
    with this clock inside its transaction, so every program on one database (this PC's window, the
    claim site's workers, a hosted server, another PC) decides a schedule's edges by the same clock,
    whatever their own clocks say. (SQLite's clock is this PC's: every program on the file runs here.)"""
    on_sqlite = isinstance(database.obj, SqliteDatabase)
    if _fixed_now is not None:
        return (":db_now" if on_sqlite else "CAST(:db_now AS TIMESTAMP)"), {"db_now": _fixed_now.isoformat(sep=" ")}
    if on_sqlite:
        return "strftime('%Y-%m-%d %H:%M:%S', 'now')", {}
    # the transaction's own timestamp: every statement of one transaction sees the same instant
    return "date_trunc('second', now() AT TIME ZONE 'UTC')", {}


def set_clock(moment: datetime | None) -> None:
    """Make utcnow() answer this moment (aware, or naive UTC) until set again; None: the real time.
    For tests that place claims and redemptions at known times, and the benchmarks."""
    global _fixed_now
    if moment is not None and moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    _fixed_now = moment.replace(microsecond=0) if moment is not None else None


@overload
def as_datetime(value: None) -> None: ...
@overload
def as_datetime(value: datetime | str) -> datetime: ...
def as_datetime(value: datetime | str | None) -> datetime | None:
    """A stored timestamp as a datetime: SQLite's drivers hand back text, server databases datetimes."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _in(column: str, values: Iterable[str]) -> SQL | NodeList:
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return Check(f"{column} IN ({listed})")


class IdField(AutoField):
    """A row's id, never handed out again once its row is deleted: the activity log, exported files
    and the logs keep ids, and a new row must not inherit what they say of an old one. SQLite reuses
    the highest id of a deleted row unless the key is AUTOINCREMENT; PostgreSQL's sequences never go back."""

    def ddl(self, ctx: Context) -> NodeList:
        column = super().ddl(ctx)
        db = self.model._meta.database
        if isinstance(getattr(db, "obj", db), SqliteDatabase):  # (the proxy's database, or one bound)
            return NodeList((column, SQL("AUTOINCREMENT")))
        return column


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class SchemaVersion(BaseModel):
    id = AutoField()
    version = IntegerField()


class Setting(BaseModel):
    key = CharField(primary_key=True, max_length=64)
    value = TextField()


class Template(BaseModel):
    """The offer a batch's vouchers carry: discount, minimum purchase, expiry and terms."""

    id = IdField()
    title = CharField(max_length=120, unique=True)
    discount_kind = CharField(max_length=8, constraints=[_in("discount_kind", ("percent", "amount"))])
    discount_value = DecimalField(max_digits=12, decimal_places=2, constraints=[Check("discount_value > 0")])
    min_purchase = DecimalField(max_digits=12, decimal_places=2, default=0, constraints=[Check("min_purchase >= 0")])
    expires_on = DateField(null=True)  # a fixed last day ...
    valid_days = IntegerField(
        null=True, constraints=[Check("valid_days IS NULL OR valid_days > 0")]
    )  # ... or N days after claim
    terms = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    archived_at = DateTimeField(null=True)  # hidden from New batch since; its batches go on as they were

    class Meta:
        constraints = [
            Check("expires_on IS NULL OR valid_days IS NULL"),
            Check("discount_kind <> 'percent' OR discount_value <= 100"),
        ]


# An erased member's row stays, so that their vouchers stay counted, but holds nothing of them: no
# name, no password, and an email placeholder that is not an address ("erased-12").
ERASED_CHECK = "erased_at IS NULL OR (name = '' AND password_hash = '' AND replace(email, '@', '') = email)"


class Member(BaseModel):
    """A member of the store who logs in on the claim site."""

    id = IdField()
    email = CharField(max_length=254, unique=True)  # stored lower-case
    name = CharField(max_length=120, default="")
    password_hash = CharField(max_length=255)
    created_at = DateTimeField(default=utcnow, index=True)  # the Members page sorted by when they joined
    # Every session carries the generation it began in; raising it ends them all (logout, a new
    # password, the manager's "sign out everywhere") without a write on each page view.
    session_generation = IntegerField(default=0, constraints=[SQL("DEFAULT 0"), Check("session_generation >= 0")])
    erased_at = DateTimeField(null=True, constraints=[Check(ERASED_CHECK)])


class ResetCode(BaseModel):
    """A one-time password reset the store handed to a member: only the code's hash is kept."""

    id = IdField()
    member = ForeignKeyField(Member, backref="reset_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=64, unique=True)  # SHA-256 hex of the code
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()


SCHEDULE_CHECK = "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at"


def name_key(name: str) -> str:
    """A batch's name as names are compared: spaces trimmed and collapsed, any case ("Summer  Sale "
    and "summer sale" are one name). What Batch.name_key holds."""
    return " ".join((name or "").split()).casefold()


class Batch(BaseModel):
    id = IdField()
    name = CharField(max_length=120)  # the manager's identifier
    # The name as names are compared (name_key below: trimmed, spaces collapsed, any case): unique,
    # so two batches can never look the same in a list or a confirmation. Its database default ''
    # is only what the migration that added it to rows already there had to give (fresh and migrated
    # tables alike); every batch written sets it. (255: casefolding may lengthen, ß is ss.)
    name_key = CharField(max_length=255, unique=True, constraints=[SQL("DEFAULT ''")])
    # what members read; empty: the offer. The database's defaults, as well as Peewee's, for the
    # columns a migration added to rows already there (fresh and migrated tables alike)
    title = CharField(max_length=120, default="", constraints=[SQL("DEFAULT ''")])
    description = TextField(default="")
    channel = CharField(max_length=20, constraints=[_in("channel", CHANNELS)])
    template = ForeignKeyField(Template, backref="batches", on_delete="RESTRICT")
    quantity = IntegerField(constraints=[Check(f"quantity BETWEEN 1 AND {MAX_QUANTITY}")])
    status = CharField(max_length=8, default="active", constraints=[_in("status", BATCH_STATUSES)])
    token = CharField(max_length=64, unique=True)
    code_prefix = CharField(max_length=8, default="")
    code_length = SmallIntegerField()
    # Kept inside the claim and redeem transactions so that all batches' metrics are one cheap read.
    claimed_count = IntegerField(
        default=0, constraints=[SQL("DEFAULT 0"), Check("claimed_count BETWEEN 0 AND quantity")]
    )
    redeemed_count = IntegerField(
        default=0, constraints=[SQL("DEFAULT 0"), Check("redeemed_count BETWEEN 0 AND claimed_count")]
    )
    created_at = DateTimeField(default=utcnow, index=True)
    # The claim window (UTC): claims open at starts_at (None: at once) and stop for good at ends_at
    # (None: no end; End campaign sets it to the moment). app.core.schedule holds the rule.
    starts_at = DateTimeField(null=True)
    ends_at = DateTimeField(null=True, constraints=[Check(SCHEDULE_CHECK)])


class Voucher(BaseModel):
    id = IdField()
    batch = ForeignKeyField(Batch, backref="vouchers", on_delete="CASCADE")
    code = CharField(max_length=32, unique=True)  # normalised: upper-case, no separators
    status = SmallIntegerField(default=UNCLAIMED)
    member = ForeignKeyField(Member, null=True, backref="vouchers", on_delete="RESTRICT", index=False)
    claimed_at = DateTimeField(null=True)
    redeemed_at = DateTimeField(null=True)
    expires_at = DateTimeField(null=True)
    # The order's total the till gave when it redeemed the voucher, in cents; NULL: none given (or not
    # redeemed). The money is counted in SlotCount too, so analytics never read it here.
    order_cents = BigIntegerField(null=True, constraints=[Check("order_cents IS NULL OR order_cents >= 0")])

    class Meta:
        indexes = (
            (("batch", "status"), False),  # keyset pages per status, and the next free voucher to claim
            # the vouchers view sorted by claim or redemption time: keyset pages of (time, id)
            (("batch", "claimed_at", "id"), False),
            (("batch", "redeemed_at", "id"), False),
        )
        constraints = [
            Check(
                "(status = 0 AND member_id IS NULL AND claimed_at IS NULL AND redeemed_at IS NULL)"
                " OR (status = 1 AND member_id IS NOT NULL AND claimed_at IS NOT NULL AND redeemed_at IS NULL)"
                " OR (status = 2 AND member_id IS NOT NULL AND claimed_at IS NOT NULL AND redeemed_at IS NOT NULL)"
            )
        ]


# One voucher per member per batch. Partial: unclaimed vouchers stay out of it, which makes
# generating a million vouchers about a fifth faster.
Voucher.add_index(Voucher.index(Voucher.member, Voucher.batch, unique=True, where=Voucher.member.is_null(False)))

# What is still out there: vouchers claimed and not redeemed, by expiry (a batch's page, the Channels
# page read ExpiryCount, and this index for the quarter hours at the edges). Partial: only those rows,
# so a range of it never reads the batch's unclaimed or redeemed vouchers. (A query must say
# status = 1 as written here for SQLite to use it.)
UNREDEEMED_EXPIRY = "status = 1"
# (Not status among its columns: PostgreSQL drops a condition the predicate implies, and a column
# between batch_id and expires_at with no condition would make the expiry range a filter, not a bound.)
Voucher.add_index(
    Voucher.index(Voucher.batch, Voucher.expires_at, where=SQL(UNREDEEMED_EXPIRY), name="voucher_unredeemed_expiry")
)

# What the activity log records (each kind's words: app.core.activity.KIND_TEXT). "restored": a
# backup was put back in place of the database; its entry is the first the restored log gets.
ACTIVITY_KINDS = (
    "template_created",
    "batch_created",
    "batch_paused",
    "batch_resumed",
    "batch_deleted",
    "voucher_redeemed",
    "redemption_undone",
    "settings_changed",
    "member_erased",
    "member_reset",
    "restored",
    "batch_edited",
    "batch_scheduled",
    "batch_ended",
    "template_edited",
    "template_archived",
    "template_restored",
    "template_deleted",
)


class Activity(BaseModel):
    """The activity log: one row per change, written in the change's own transaction, never
    changed afterwards (triggers refuse UPDATE and DELETE). The batch is named, not referenced:
    an entry outlives its batch."""

    id = IdField()
    at = DateTimeField(default=utcnow)
    kind = CharField(max_length=32, constraints=[_in("kind", ACTIVITY_KINDS)])
    batch_id = IntegerField(null=True)
    batch_name = CharField(max_length=120, default="")
    code = CharField(max_length=40, null=True)  # as shown: grouped, SUMMER-K7QM-3XT9-PA
    till = CharField(max_length=64, default="")
    staff = CharField(max_length=64, default="")
    details = TextField(default="{}")  # a JSON object

    class Meta:
        indexes = (
            (("at", "id"), False),  # newest first, and date ranges
            (("batch_id", "at", "id"), False),  # a batch's page
            (("kind", "at", "id"), False),
            (("code", "id"), False),  # who redeemed this voucher
        )


class Erasure(BaseModel):
    """The erasure ledger: one row per erased member that holds nothing of them but a keyed hash of
    their email (HMAC-SHA256 under this database's own secret: without it a row cannot be matched
    against a list of emails). Applied again after a restore and after a copy, so a backup made
    before an erasure never brings the member back (app.core.erasures)."""

    email_hash = CharField(max_length=64, primary_key=True)
    erased_at = DateTimeField(default=utcnow)


class SlotCount(BaseModel):
    """A batch's claims and redemptions per quarter hour (UTC), kept inside the claim, redeem and
    undo transactions: a batch's history is read from these rows, never from its vouchers.

    Quarter hours, not hours: every time zone's offset is a whole number of quarter hours (India
    +5:30, Nepal +5:45, Chatham +12:45), so each local hour and local day is a sum of whole slots,
    whatever the store's zone, and changing the zone later re-buckets the same history exactly."""

    batch = ForeignKeyField(Batch, on_delete="CASCADE", index=False)  # the key's first column indexes it
    slot = IntegerField()  # seconds since 1970-01-01 00:00 UTC, divided by 900
    claims = IntegerField(default=0, constraints=[Check("claims >= 0")])
    redemptions = IntegerField(default=0, constraints=[Check("redemptions >= 0")])
    # Money at the till, in cents: the redemptions made with an order total, their sales and the
    # discount they gave (kept with the redemptions, in the redeem and undo transactions).
    totalled = IntegerField(default=0, constraints=[SQL("DEFAULT 0"), Check("totalled >= 0")])
    sales_cents = BigIntegerField(default=0, constraints=[SQL("DEFAULT 0"), Check("sales_cents >= 0")])
    discount_cents = BigIntegerField(default=0, constraints=[SQL("DEFAULT 0"), Check("discount_cents >= 0")])

    class Meta:
        primary_key = CompositeKey("batch", "slot")


class DelayCount(BaseModel):
    """How many of a batch's redemptions came this many whole hours after their claim (kept at
    redeem and undo): the median and the histogram of claim-to-redemption without the vouchers."""

    batch = ForeignKeyField(Batch, on_delete="CASCADE", index=False)
    hours = IntegerField(constraints=[Check("hours >= 0")])
    redemptions = IntegerField(default=0, constraints=[Check("redemptions >= 0")])

    class Meta:
        primary_key = CompositeKey("batch", "hours")


class ExpiryCount(BaseModel):
    """How many of a batch's claimed vouchers, not redeemed, expire in each quarter hour (UTC, slots
    numbered as SlotCount's), kept inside the claim, redeem and undo transactions: what is still out
    there (expiring within 7 days, expired unused) is a sum of these rows and, for the quarter hours
    at its edges, a short range of the partial index voucher_unredeemed_expiry, never a count of a
    million vouchers."""

    batch = ForeignKeyField(Batch, on_delete="CASCADE", index=False)
    slot = IntegerField()  # the quarter hour holding the vouchers' expires_at
    vouchers = IntegerField(default=0, constraints=[Check("vouchers >= 0")])

    class Meta:
        primary_key = CompositeKey("batch", "slot")


class ApiKey(BaseModel):
    """A point of sale's key to the local API (`api-key create`): only its SHA-256 is kept, and its
    first characters to tell keys apart. A revoked key stays, so the log's names stay explained;
    a name is taken once among the keys not revoked."""

    id = AutoField()
    name = CharField(max_length=64)  # the till the activity log names for its changes
    prefix = CharField(max_length=16)
    key_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    last_used_at = DateTimeField(null=True)


ApiKey.add_index(ApiKey.index(ApiKey.name, unique=True, where=ApiKey.revoked_at.is_null()))


class ApiAttempt(BaseModel):
    """Failed API authentications per client address, shared by every process that serves the API:
    too many in the window and the address is refused (429) until it has passed."""

    address = CharField(max_length=64, primary_key=True)
    failures = IntegerField(default=0)
    first_at = DateTimeField()
    last_at = DateTimeField()


class IdempotentRequest(BaseModel):
    """A POST the API answered under an Idempotency-Key: its request (hashed) and its answer, written
    in the same transaction as the change, so a retry gets the first answer and never a second change."""

    id = AutoField()
    api_key = ForeignKeyField(ApiKey, on_delete="CASCADE", index=False)  # the unique index below leads with it
    key = CharField(max_length=255)
    request_hash = CharField(max_length=64)
    status = IntegerField(null=True)  # NULL only inside the transaction that is answering it
    response = TextField(null=True)
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("api_key", "key"), True),)


WEBHOOK_EVENTS = ("claimed", "redeemed", "undone")


class Webhook(BaseModel):
    """An address told of every claim, redemption and undo it subscribes to (events: ',claimed,redeemed,')."""

    id = AutoField()
    url = CharField(max_length=2000, unique=True)
    events = CharField(max_length=64)
    secret = CharField(max_length=128)  # signs each delivery (HMAC-SHA256); the receiver has it too
    created_at = DateTimeField(default=utcnow)


class WebhookDelivery(BaseModel):
    """The outbox: one event for one webhook, written in the transaction of its change, then sent
    (and sent again with back-off, for a day) until the receiver answers 2xx."""

    id = AutoField()
    webhook = ForeignKeyField(Webhook, on_delete="CASCADE")
    event_id = CharField(max_length=32)  # the same for every webhook told of one change
    event = CharField(max_length=16, constraints=[_in("event", WEBHOOK_EVENTS)])
    payload = TextField()  # the JSON body, as signed and sent
    created_at = DateTimeField(default=utcnow)
    next_try_at = DateTimeField(null=True, index=True)  # NULL: delivered, or given up
    attempts = IntegerField(default=0)
    last_try_at = DateTimeField(null=True)
    last_status = IntegerField(null=True)  # the receiver's HTTP status; 0: no answer
    last_error = CharField(max_length=200, default="")
    delivered_at = DateTimeField(null=True)


class Lease(BaseModel):
    """Work that one process does for all (sending webhooks): whoever holds the row until its time
    does it; another takes it over when that time has passed (the holder died or stopped)."""

    name = CharField(max_length=32, primary_key=True)
    holder = CharField(max_length=64)
    until = DateTimeField()


class Throttle(BaseModel):
    """The claim site's abuse limits (failed logins per email and per address, accounts made per
    address), kept here so that every process serving this database counts together and a restart
    forgets nothing. No email or address is stored: key is a keyed hash of it."""

    scope = CharField(max_length=16)  # what is counted: app.core.limits's scopes
    key = CharField(max_length=64)  # HMAC-SHA256 of the email or address, hex
    times = TextField(default="")  # the recent events, seconds since 1970 (UTC), oldest first
    until = DoubleField(index=True)  # after this the row says nothing any more: pruned

    class Meta:
        primary_key = CompositeKey("scope", "key")


M = TypeVar("M", bound=Model)


def from_row(model: type[M], columns: tuple[str, ...], values: Sequence[Any]) -> M:
    """A model instance from a plain SQL row, with each column converted as Peewee would."""
    fields = model._meta.fields
    return model(**{name: fields[name].python_value(value) for name, value in zip(columns, values, strict=True)})


TEMPLATE_COLUMNS = (
    "id",
    "title",
    "discount_kind",
    "discount_value",
    "min_purchase",
    "expires_on",
    "valid_days",
    "terms",
    "created_at",
)

ALL_MODELS = (
    SchemaVersion,
    Setting,
    Template,
    Member,
    ResetCode,
    Batch,
    Voucher,
    Activity,
    SlotCount,
    DelayCount,
    ExpiryCount,
    Erasure,
    ApiKey,
    ApiAttempt,
    IdempotentRequest,
    Webhook,
    WebhookDelivery,
    Lease,
    Throttle,
)
