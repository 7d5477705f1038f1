"""`voucher-batches settings --wallet-certificate FILE.p12 --wallet-pass-type-id … --wallet-team-id …`: the
store's Apple Wallet certificate, checked before anything is saved, its password kept on this PC."""

import json

import pytest

from tests.helpers.wallet_certificate import PASS_TYPE_ID, TEAM_ID, make_certificate


@pytest.fixture(scope="module")
def made():
    return make_certificate()


@pytest.fixture
def certificate(tmp_path, made):
    path = tmp_path / "Certificates.p12"
    path.write_bytes(made.p12)
    return path


def test_the_certificate_is_set_with_its_ids_and_the_password_from_the_environment(run, certificate, made, monkeypatch):
    monkeypatch.setenv("VOUCHER_BATCHES_WALLET_PASSWORD", made.password)
    code, out, err = run(
        "settings", "--wallet-certificate", str(certificate), "--wallet-pass-type-id", PASS_TYPE_ID,
        "--wallet-team-id", TEAM_ID, "--json",
    )  # fmt: skip
    assert code == 0, err
    shown = json.loads(out)
    assert (shown["wallet_pass_type_id"], shown["wallet_team_id"]) == (PASS_TYPE_ID, TEAM_ID)
    assert shown["apple_wallet"].startswith(f"Passes are signed with “Pass Type ID: {PASS_TYPE_ID}”")
    assert made.password not in out
    entry = json.loads(run("activity", "--kind", "settings_changed", "--limit", "1", "--json")[1])[0]
    assert "wallet_certificate" in json.dumps(entry)
    code, out, _ = run("settings", "--wallet-certificate", "", "--json")  # and removed again
    assert code == 0 and json.loads(out)["apple_wallet"].startswith("Not set up")


def test_the_ids_default_to_the_certificates_own(run, certificate, made, monkeypatch):
    monkeypatch.setenv("VOUCHER_BATCHES_WALLET_PASSWORD", made.password)
    code, out, err = run("settings", "--wallet-certificate", str(certificate), "--json")
    assert code == 0, err
    assert json.loads(out)["wallet_pass_type_id"] == PASS_TYPE_ID


def test_a_wrong_password_or_id_changes_nothing_and_says_why_in_one_sentence(run, certificate, made, monkeypatch):
    monkeypatch.setenv("VOUCHER_BATCHES_WALLET_PASSWORD", "wrong")
    code, _, err = run("settings", "--wallet-certificate", str(certificate), "--store-name", "Renamed")
    assert code == 2 and "the password is wrong" in err and err.count("\n") == 1
    monkeypatch.setenv("VOUCHER_BATCHES_WALLET_PASSWORD", made.password)
    code, _, err = run("settings", "--wallet-certificate", str(certificate), "--wallet-team-id", "OTHER12345")
    assert code == 2 and f"belongs to the team {TEAM_ID}, not OTHER12345" in err
    code, out, _ = run("settings", "--json")
    shown = json.loads(out)
    assert shown["store_name"] != "Renamed" and shown["wallet_team_id"] == ""
    assert shown["apple_wallet"].startswith("Not set up")
    code, _, err = run("settings", "--wallet-certificate", str(certificate.with_name("missing.p12")))
    assert code == 1 and "Cannot read" in err
    code, _, err = run("settings", "--wallet-pass-type-id", "com.not.a.pass")
    assert code == 2 and "An Apple Pass Type ID is written like pass.com.yourstore.vouchers" in err


def test_without_a_terminal_or_the_variable_the_password_is_asked_for_in_a_sentence(run, certificate, monkeypatch):
    monkeypatch.delenv("VOUCHER_BATCHES_WALLET_PASSWORD", raising=False)
    code, _, err = run("settings", "--wallet-certificate", str(certificate))
    assert code == 2 and "VOUCHER_BATCHES_WALLET_PASSWORD" in err
