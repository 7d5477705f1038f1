"""Fixing mistakes: batch names unique (any case, spaces trimmed) and backed by the database, a batch's
name, channel, description and public title edited, a batch made like another, templates edited (their
offer only while unclaimed), archived and deleted; every change in the activity log."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date

import peewee
import pytest

from app.core import activity, analytics, batches, claims, store, templates
from app.core.errors import InvalidInput, NotFound
from app.core.store import migrations, models
from app.core.store.models import Batch, Template

from .helpers import OLD_SCHEMAS, old_schema


def kinds(batch_id=None):
    return [e.kind for e in activity.entries(activity.Filter(batch_id=batch_id))]


# -- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("again", ["Summer Sale", "summer sale", "  SUMMER   sale ", "Summer\tSale"])
def test_a_name_taken_in_any_case_or_spacing_is_refused_with_a_sentence(make_batch, again):
    first = make_batch(name="Summer Sale")
    with pytest.raises(InvalidInput) as refused:
        make_batch(name=again)
    said = str(refused.value)
    assert said.startswith(f"The name “{' '.join(again.split())}” is already taken by another batch")
    assert said.endswith("; choose another.")
    assert [b.id for b in batches.list_batches()] == [first.id]
    assert batches.name_taken(again) == said
    assert batches.name_taken(again, except_batch=first.id) is None  # its own name is no clash
    assert batches.name_taken("Winter Sale") is None


def test_a_name_is_kept_trimmed_with_its_spaces_collapsed(make_batch):
    assert make_batch(name="  Summer   2025 -  Email ").name == "Summer 2025 - Email"


def test_the_database_refuses_a_second_batch_of_one_name_by_itself(make_batch, template):
    make_batch(name="Summer Sale")
    with pytest.raises(peewee.IntegrityError):
        Batch.create(
            name="SUMMER SALE",
            name_key="summer sale",
            channel="Email",
            template=template.id,
            quantity=1,
            token="t" * 32,
            code_length=10,
        )


def test_unicode_names_compare_in_any_case_on_either_database(make_batch):
    make_batch(name="Été à Paris")
    with pytest.raises(InvalidInput, match="already taken"):
        make_batch(name="ÉTÉ À PARIS")


# -- editing a batch ------------------------------------------------------------------------------


def test_a_batch_is_renamed_rechannelled_and_redescribed_and_each_edit_is_logged(make_batch, claim_some):
    batch = make_batch(quantity=20, name="Sumer 2025 - Email", channel="Email", description="Typo")
    claim_some(batch, 3)
    edited = batches.edit_batch(batch.id, name="Summer 2025 - SMS", channel="SMS", description="Fixed", title="Hi")
    assert (edited.name, edited.channel, edited.description, edited.title) == (
        "Summer 2025 - SMS",
        "SMS",
        "Fixed",
        "Hi",
    )
    assert (edited.total, edited.claimed) == (20, 3)  # the Total stays as generated
    entry = activity.entries(activity.Filter(batch_id=batch.id))[0]
    assert entry.kind == "batch_edited" and entry.batch_name == "Summer 2025 - SMS"
    assert entry.details["name"] == ["Sumer 2025 - Email", "Summer 2025 - SMS"]
    assert entry.summary.startswith("name: “Sumer 2025 - Email” → “Summer 2025 - SMS”; channel: “Email” → “SMS”")
    # the channels follow the batch's channel
    by = {c.channel: c for c in analytics.channel_stats()}
    assert (by["Email"].batches, by["SMS"].batches, by["SMS"].claimed) == (0, 1, 3)
    # the same edit again changes nothing and records nothing
    batches.edit_batch(batch.id, name=" Summer 2025 -  SMS", channel="SMS")
    assert kinds(batch.id).count("batch_edited") == 1


def test_an_edit_to_a_taken_name_or_an_unknown_channel_changes_nothing(make_batch):
    make_batch(name="Taken")
    batch = make_batch(name="Mine", channel="Email")
    with pytest.raises(InvalidInput, match="already taken"):
        batches.edit_batch(batch.id, name="TAKEN", channel="SMS")
    with pytest.raises(InvalidInput, match="channel must be one of"):
        batches.edit_batch(batch.id, channel="Fax")
    with pytest.raises(NotFound):
        batches.edit_batch(batch.id + 99, name="Nobody")
    assert (batches.get_batch(batch.id).name, batches.get_batch(batch.id).channel) == ("Mine", "Email")
    assert batches.edit_batch(batch.id, name="mine").name == "mine"  # its own name in another case


def test_a_title_change_is_an_edit_in_the_log(make_batch):
    batch = make_batch()
    batches.set_title(batch.id, "Summer treat")
    assert activity.entries()[0].summary == "public title: “” → “Summer treat”"


# -- a batch like this one ------------------------------------------------------------------------


def test_a_batch_like_this_one_has_its_offer_channel_title_and_words_and_a_link_of_its_own(
    make_batch, claim_some, make_member
):
    source = make_batch(quantity=30, name="Spring - Email", channel="Email", title="Spring treat", prefix="SPR")
    claim_some(source, 28)  # almost sold out
    clone = batches.clone_batch(source.id, "Spring - Email (more)")
    assert (clone.template_id, clone.channel, clone.custom_title, clone.description) == (
        source.template_id,
        "Email",
        "Spring treat",
        source.description,
    )
    assert (clone.total, clone.claimed) == (30, 0) and clone.token != source.token
    assert clone.claim_url != source.claim_url
    assert claims.claim(clone.token, make_member().id).outcome is claims.ClaimOutcome.CLAIMED
    assert clone.to_json()["title"] == "Spring treat"
    smaller = batches.clone_batch(source.id, "Spring - Email (last few)", quantity=5)
    assert smaller.total == 5
    assert activity.entries(activity.Filter(batch_id=smaller.id))[0].summary == f"5 vouchers, like batch {source.id}"
    with pytest.raises(InvalidInput, match="already taken"):
        batches.clone_batch(source.id, "spring - email")


# -- templates -----------------------------------------------------------------------------------


def test_a_templates_name_and_terms_change_always_and_its_offer_only_while_unclaimed(make_batch, template, claim_some):
    batch = make_batch(quantity=10)
    edited = templates.edit_template(template.id, discount="15%", min_purchase="25", expiry=14)
    assert (edited.discount_value, edited.min_purchase, edited.valid_days) == (15, 25, 14)
    claim_some(batch, 1)
    with pytest.raises(InvalidInput) as refused:
        templates.edit_template(template.id, discount="50%")
    assert str(refused.value) == (
        "The offer of “10% off” can no longer change: 1 of its vouchers has been claimed, and members keep what "
        "they claimed. Its name and terms still can; for another offer, create a new template."
    )
    with pytest.raises(InvalidInput):
        templates.edit_template(template.id, expiry=templates.NEVER)
    renamed = templates.edit_template(template.id, title="Summer welcome", terms="One per visit, members only")
    assert (renamed.title, renamed.terms, renamed.discount_value) == (
        "Summer welcome",
        "One per visit, members only",
        15,
    )
    assert batches.get_batch(batch.id).title == "Summer welcome"  # members read the offer's new name
    entry = activity.entries(activity.Filter(kind="template_edited"))[0]
    assert entry.summary == (
        "name: “10% off” → “Summer welcome”; terms: “One per visit” → “One per visit, members only”"
    )
    assert activity.entries(activity.Filter(kind="template_edited"))[1].summary == (
        "discount: “10% off” → “15% off”; minimum purchase: “Minimum purchase $20.00” → “Minimum purchase $25.00”; "
        "expiry: “Valid for 30 days after you claim it” → “Valid for 14 days after you claim it”"
    )


def test_the_database_refuses_a_claimed_offers_change_by_itself(make_batch, template, claim_some):
    claim_some(make_batch(quantity=3), 1)
    with pytest.raises(peewee.IntegrityError):
        Template.update(discount_value=90).where(Template.id == template.id).execute()
    Template.update(terms="Still fine").where(Template.id == template.id).execute()
    assert Template.get_by_id(template.id).terms == "Still fine"


def test_an_expiry_is_days_a_last_day_or_never(template):
    assert templates.edit_template(template.id, expiry=date(2031, 1, 31)).expires_on == date(2031, 1, 31)
    never = templates.edit_template(template.id, expiry=templates.NEVER)
    assert (never.valid_days, never.expires_on) == (None, None)
    assert templates.describe_offer(never)["expiry"] == "No expiry date"
    with pytest.raises(InvalidInput):
        templates.edit_template(template.id, expiry="soon")


def test_an_archived_template_is_hidden_from_new_batch_and_its_batches_go_on(make_batch, template, make_member):
    batch = make_batch(quantity=5)
    templates.archive_template(template.id)
    templates.archive_template(template.id)  # twice: recorded once
    assert templates.list_templates() == []
    assert [t.id for t in templates.list_templates(archived=True)] == [template.id]
    assert claims.claim(batch.token, make_member().id).outcome is claims.ClaimOutcome.CLAIMED
    with pytest.raises(InvalidInput, match="is archived; restore it"):
        batches.create_batch("Another", template, 5, "Email")
    assert batches.clone_batch(batch.id, "Like it").template_id == template.id  # more of the same is fine
    templates.archive_template(template.id, restore=True)
    assert [t.id for t in templates.list_templates()] == [template.id]
    assert (kinds().count("template_archived"), kinds().count("template_restored")) == (1, 1)


def test_only_an_unused_template_is_deleted(make_batch, template):
    spare = templates.create_template("Spare", "5")
    make_batch()
    with pytest.raises(InvalidInput) as refused:
        templates.delete_template(template.id)
    assert (
        str(refused.value)
        == "“10% off” is the offer of 1 batch, so it cannot be deleted; archive it to hide it from New batch."
    )
    assert templates.delete_template(spare.id) == "Spare"
    assert [t.title for t in templates.list_templates(archived=True)] == ["10% off"]
    assert activity.entries()[0].kind == "template_deleted"
    with pytest.raises(NotFound):
        templates.delete_template(spare.id)


# -- an old database with two batches of one name ----------------------------------------------


@pytest.mark.sqlite_only  # builds a SQLite file of version 6 (PostgreSQL: the next test)
def test_an_old_database_with_duplicate_names_is_updated_with_the_later_ones_renamed(tmp_path, monkeypatch):
    monkeypatch.delenv(store.ENV_VAR, raising=False)
    path = tmp_path / "v6.db"
    with closing(sqlite3.connect(path)) as con:
        con.executescript(old_schema("sqlite", 6))
        con.executescript(duplicates_sql())
    store.open_database(path)
    try:
        check_renamed()
    finally:
        store.close_database()


@pytest.mark.postgres_only
def test_an_old_server_database_with_duplicate_names_is_updated_with_the_later_ones_renamed(db_path):
    import psycopg2

    from tests.helpers.database import TEST_DB, empty_postgres

    store.close_database()
    empty_postgres()
    with closing(psycopg2.connect(TEST_DB)) as con, con.cursor() as cursor:
        cursor.execute(old_schema("postgresql", 6))
        cursor.execute(duplicates_sql())
        con.commit()
    store.open_database(TEST_DB, have_backup=True)
    check_renamed()


def duplicates_sql() -> str:
    names = ["Summer Sale", "summer sale", "Spring", "SUMMER SALE ", "Summer Sale (2)", "x" * 120, "X" * 120]
    rows = ", ".join(
        f"({i}, '{name}', '', 'Email', 1, 1, 'active', 'token{i}', '', 10, 0, 0, '2026-01-0{i} 10:00:00', '')"
        for i, name in enumerate(names, 1)
    )
    return (
        "INSERT INTO template (id, title, discount_kind, discount_value, min_purchase, terms, created_at)"
        " VALUES (1, 'Offer', 'percent', 10, 0, '', '2026-01-01 09:00:00');"
        "INSERT INTO batch (id, name, description, channel, template_id, quantity, status, token, code_prefix,"
        f" code_length, claimed_count, redeemed_count, created_at, title) VALUES {rows};"
    )


def check_renamed():
    assert 6 in OLD_SCHEMAS["sqlite"] and migrations.schema_version(store.database) == migrations.CURRENT_VERSION
    names = {b.id: b.name for b in batches.list_batches()}
    assert names == {
        1: "Summer Sale",
        2: "summer sale (3)",  # "(2)" is another batch's name already
        3: "Spring",
        4: "SUMMER SALE (4)",
        5: "Summer Sale (2)",
        6: "x" * 120,
        7: "X" * 116 + " (2)",
    }
    renames = activity.entries(activity.Filter(kind="batch_edited"))
    assert sorted((e.batch_id, tuple(e.details["name"])) for e in renames) == [
        (2, ("summer sale", "summer sale (3)")),
        (4, ("SUMMER SALE ", "SUMMER SALE (4)")),
        (7, ("X" * 120, "X" * 116 + " (2)")),
    ]
    assert all(e.details["reason"] == "another batch had this name" for e in renames)
    with pytest.raises(InvalidInput, match="already taken"):
        batches.edit_batch(3, name="summer sale")
    # the log of an updated database takes the new kinds of entry too (its CHECK was widened)
    from app.core import schedule

    schedule.end_campaign(3)
    templates.archive_template(1)
    assert [e.kind for e in activity.entries(limit=2)] == ["template_archived", "batch_ended"]
    for kind in models.ACTIVITY_KINDS:  # every kind, the backup's "restored" with the campaign's
        models.Activity.create(kind=kind)
    assert {e.kind for e in activity.entries(limit=100)} == set(models.ACTIVITY_KINDS)
