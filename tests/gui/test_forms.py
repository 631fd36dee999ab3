"""The forms against real services and a real sandbox: validated, drafted, submitted, never lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLineEdit

from forms_conftest_helpers import (  # noqa: F401  (fixtures)
    NON_HEX_POM, RADAR_CLIENT, RADAR_PROGRAMME, RADAR_SMS_PROGRAMME, SAMPLE_UDID, SAMPLE_UUID,
    TWO_POM_LOCATION, drop_files, fill, forms_sandbox, make_services, memory_keyring, offline, open_form,
    provider_files, qloop, run, services, stats, submit_and_wait,
)
from supportdesk.models.ticket import SyncState, TicketStatus
from supportdesk.sandbox import DEMO_RADAR_PASSWORD

pytestmark = pytest.mark.timeout(60)

CARDLYTICS = dict(offer_id="1000030804", customer_id="1756524", author_email="agent@bank.example",
                  description="Expected: 10% cashback. Observed: nothing after 30 days.")


def fill_cardlytics(qtbot, form, **override: str) -> None:
    values = {**CARDLYTICS, **override}
    fill(qtbot, form, offer_id=values.pop("offer_id"))
    qtbot.keyClicks(form.transactions.editors()[0], values.pop("transaction", "1132328647"))
    fill(qtbot, form, **values)


def png(path: Path) -> Path:
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(0x3366CC)
    assert image.save(str(path), "PNG")
    return path


# --- cardlytics ------------------------------------------------------------------------------

def test_cardlytics_valid_submission_reaches_the_sandbox(qtbot, services, forms_sandbox):
    before = stats(forms_sandbox)["cardlytics"]["create_calls_total"]
    form = open_form(qtbot, "cardlytics", services)
    assert form.first_field() is form.fields["offer_id"].editor and not form.isModal()
    assert form.focusWidget() is form.first_field()  # focused when shown, whoever opened it
    fill_cardlytics(qtbot, form)
    assert form.submit_button.isEnabled() and form.reason.text() == ""
    assert "number" in form.customer.help.text()
    form.fields["author_email"].editor.setFocus()
    qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Tab)
    assert form.focusWidget() is form.discard_button  # the buttons come after the last field  # 1756524 goes on the wire as a JSON integer
    with qtbot.waitSignal(form.submitted, timeout=20_000) as got:
        submit_and_wait(qtbot, form)
    ticket = services.tickets.get(got.args[0])
    assert ticket.sync_state is SyncState.SENT and ticket.data["offerId"] == 1000030804
    assert stats(forms_sandbox)["cardlytics"]["create_calls_total"] == before + 1
    assert services.store.drafts.load("cardlytics") is None
    assert "Sent" in form.banner.text()


def test_invalid_input_shows_its_message_and_sends_nothing(qtbot, services, forms_sandbox):
    before = stats(forms_sandbox)["cardlytics"]["create_calls_total"]
    form = open_form(qtbot, "cardlytics", services)
    fill_cardlytics(qtbot, form, offer_id="12ab", transaction="77x", author_email="not-an-email")
    assert form.fields["offer_id"].error.text() == "Must be a whole number"
    assert form.fields["transaction_ids"].error.text().startswith("Row 1:")
    assert form.fields["author_email"].error.text() == "Not a valid e-mail address"
    assert form.fields["offer_id"].focus_target().property("invalid") is True
    assert not form.submit_button.isEnabled()
    assert form.reason.text().startswith("Not ready: Offer id") and "e-mail" in form.submit_button.toolTip()
    qtbot.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert form.task is None and stats(forms_sandbox)["cardlytics"]["create_calls_total"] == before
    assert services.tickets.list() == []
    # Not valid, yet the draft is saved within a second.
    qtbot.waitUntil(lambda: (services.store.drafts.load("cardlytics") or {}).get("offer_id") == "12ab",
                    timeout=1000)


def test_offline_submission_is_queued_and_said_so(qtbot, offline):
    form = open_form(qtbot, "cardlytics", offline)
    fill_cardlytics(qtbot, form)
    with qtbot.waitSignal(form.submitted, timeout=20_000) as got:
        submit_and_wait(qtbot, form, keyboard=True)
    assert offline.tickets.get(got.args[0]).sync_state is SyncState.QUEUED
    assert "queued" in form.banner.text() and "sent automatically" in form.banner.text()
    assert [i.target_id for i in offline.store.outbox.undelivered()] == [got.args[0]]


def test_resubmit_after_a_processing_error(qtbot, services, forms_sandbox):
    t = run(qtbot, services.tickets.create_cardlytics(
        offer_id=1000030804, transaction_ids=[555], customer_id="424242", description="Expected reward"))
    qtbot.wait(400)  # the sandbox processes it: Invalid customer Id
    run(qtbot, services.tickets.refresh([t]))
    assert services.tickets.get(t.id).status is TicketStatus.RESOLVED
    form = open_form(qtbot, "resubmit", services, ticket_id=t.id)
    assert "Invalid customer Id" in form.intro_label.text()
    assert form.fields["customer_id"].editor.text() == "424242"  # filled from the ticket
    form.fields["customer_id"].editor.clear()
    fill(qtbot, form, customer_id="1756524")
    with qtbot.waitSignal(form.submitted, timeout=20_000):
        submit_and_wait(qtbot, form)
    again = services.tickets.get(t.id)
    assert again.external_id == f"{t.id}-2" and again.customer_id == "1756524"
    assert f"{t.id}-2" in stats(forms_sandbox)["cardlytics"]["create_calls"]


# --- support -----------------------------------------------------------------------------------

def test_support_ticket_with_an_image(qtbot, services, forms_sandbox, tmp_path):
    before = stats(forms_sandbox)["support"]
    form = open_form(qtbot, "support", services)
    fill(qtbot, form, uuid=SAMPLE_UUID, udid=SAMPLE_UDID, subject="Cashback missing",
         message="Paid at Costa, no cashback.", email="john@example.com", category="cashback",
         phone="+44 7700 900123")
    form.images.add_paths([str(png(tmp_path / "slip.png"))])
    form.fields["message"].editor.setFocus()  # Ctrl+Enter submits even from a multi-line box
    with qtbot.waitSignal(form.submitted, timeout=20_000) as got:
        submit_and_wait(qtbot, form, keyboard=True)
    assert services.tickets.get(got.args[0]).sync_state is SyncState.SYNCED
    after = stats(forms_sandbox)["support"]
    assert after["create_calls"] == before["create_calls"] + 1
    assert after["common_uploads"] == before["common_uploads"] + 1


def test_support_inline_rules(qtbot, services, tmp_path):
    form = open_form(qtbot, "support", services)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    fill(qtbot, form, phone="12345", email="john@")
    form.images.add_paths([str(notes)])
    assert "international" in form.fields["phone"].error.text()
    assert form.fields["email"].error.text() == "Not a valid e-mail address"
    assert "not a photo" in form.fields["images"].error.text()
    assert form.fields["uuid"].error.text() == ""  # untouched fields stay quiet
    assert "User UUID: Required" in form.submit_button.toolTip()


# --- invitation ----------------------------------------------------------------------------------

def remember_radar_ids(svc, programme: str = RADAR_PROGRAMME) -> None:
    r = svc.store.remembered
    r.remember("client", RADAR_CLIENT)
    r.remember("programme", programme, parent=RADAR_CLIENT)
    r.remember("location", TWO_POM_LOCATION, parent=programme)


def pick(combo, value: str) -> None:
    index = combo.findText(value)
    assert index >= 0, f"{value} is not offered"
    combo.setCurrentIndex(index)


def test_invitation_learns_the_pom_rule_from_a_rejection(qtbot, services, forms_sandbox):
    remember_radar_ids(services)
    form = open_form(qtbot, "invitation", services)
    assert form.client.currentText() == RADAR_CLIENT  # the last one used, never retyped
    pick(form.programme, RADAR_PROGRAMME)
    pick(form.location, TWO_POM_LOCATION)
    fill(qtbot, form, email="aroha@example.co.nz", first_name="Aroha")
    assert "pom" not in form._errors  # one POM is not known to be needed yet
    submit_and_wait(qtbot, form)
    assert "pomDisplayId is mandatory" in form.banner.text()  # the provider's words
    assert form.fields["email"].editor.text() == "aroha@example.co.nz"  # kept for correction
    assert form.fields["pom"].error.text().startswith("Required")
    assert not form.submit_button.isEnabled()
    form.pom.setEditText(NON_HEX_POM)
    before = len(stats(forms_sandbox)["radar"]["invitations"])
    with qtbot.waitSignal(form.submitted, timeout=20_000) as got:
        submit_and_wait(qtbot, form)
    rec = services.invitations.get(got.args[0])
    assert rec.sync_state is SyncState.SENT and rec.provider_reference in form.banner.text()
    assert len(stats(forms_sandbox)["radar"]["invitations"]) == before + 1


def test_invitation_rejection_shows_the_documented_hint(qtbot, services):
    remember_radar_ids(services, RADAR_SMS_PROGRAMME)
    form = open_form(qtbot, "invitation", services)
    pick(form.programme, RADAR_SMS_PROGRAMME)
    pick(form.location, TWO_POM_LOCATION)
    form.pom.setEditText(NON_HEX_POM)
    fill(qtbot, form, email="kwame@example.com")
    submit_and_wait(qtbot, form)
    text = form.banner.text()
    assert "the programme must set Postmark ID" in text and "support@customerradar.com" in text


def test_invitation_unknown_ids_show_the_lookup_hint(qtbot, services):
    remember_radar_ids(services)
    form = open_form(qtbot, "invitation", services)
    pick(form.programme, RADAR_PROGRAMME)
    form.location.setEditText("0123456789abcdef0123456789abcdef")  # pasted, unknown to Radar
    fill(qtbot, form, email="liam@example.ie")
    submit_and_wait(qtbot, form)
    text = form.banner.text()
    assert "No Feedback code found for this clientDisplayId" in text and "lookup v2 APIs" in text
    assert form.location.currentText() == "0123456789abcdef0123456789abcdef"


def test_invitation_offline_is_queued(qtbot, offline):
    remember_radar_ids(offline)
    form = open_form(qtbot, "invitation", offline)
    pick(form.programme, RADAR_PROGRAMME)
    pick(form.location, TWO_POM_LOCATION)
    fill(qtbot, form, mobile="0211234321")
    with qtbot.waitSignal(form.submitted, timeout=20_000) as got:
        submit_and_wait(qtbot, form)
    assert offline.invitations.get(got.args[0]).sync_state is SyncState.QUEUED
    assert "queued" in form.banner.text()


# --- feedback ---------------------------------------------------------------------------------

FEEDBACK = dict(user_id="john@example.com", offer_code="CST10", bank_code="NWB",
                outlet_code="CST-LDN-001", lat="51.5072", lon="-0.1276")


def test_feedback_valid_and_range_checked(qtbot, services, forms_sandbox):
    before = stats(forms_sandbox)["offers_feedback"]["calls"]
    form = open_form(qtbot, "feedback", services)
    assert form.types.itemText(1) == "2 — Offer Expired"
    fill(qtbot, form, **{**FEEDBACK, "lat": "95"})
    assert form.fields["lat"].error.text() == "Must be between -90 and 90"
    assert not form.submit_button.isEnabled()
    form.fields["lat"].editor.clear()
    fill(qtbot, form, lat="51.5072")
    form.types.setCurrentIndex(1)
    with qtbot.waitSignal(form.submitted, timeout=20_000) as got:
        submit_and_wait(qtbot, form)
    rec = services.feedback.get(got.args[0])
    assert rec.sync_state is SyncState.SENT and rec.payload["feedback_type"] == "2"
    assert stats(forms_sandbox)["offers_feedback"]["calls"] == before + 1


def test_feedback_offline_is_queued(qtbot, offline):
    form = open_form(qtbot, "feedback", offline)
    fill(qtbot, form, **FEEDBACK)
    with qtbot.waitSignal(form.submitted, timeout=20_000) as got:
        submit_and_wait(qtbot, form)
    assert offline.feedback.get(got.args[0]).sync_state is SyncState.QUEUED
    assert not form.body.isEnabled() and form.new_button.isVisible()  # sent off: locked
    qtbot.mouseClick(form.new_button, Qt.MouseButton.LeftButton)
    assert form.body.isEnabled() and form.fields["user_id"].editor.text() == ""


# --- upload -----------------------------------------------------------------------------------

def support_ticket(qtbot, svc):
    return run(qtbot, svc.tickets.create_support(
        uuid_=SAMPLE_UUID, udid=SAMPLE_UDID, subject="App crashes", message="Since 4.12",
        email="john@example.com", category="app"))


def big_log(path: Path, mb: int) -> Path:
    path.write_bytes(b"2024-06-03 12:00:01 INFO offers tab opened\n" * (mb * 24_000))
    return path


def test_upload_reports_progress(qtbot, services, forms_sandbox, tmp_path):
    t = support_ticket(qtbot, services)
    before = stats(forms_sandbox)["support"]["uploads"]
    form = open_form(qtbot, "upload", services, ticket_id=t.id)
    assert not form.submit_button.isEnabled() and "Choose a file" in form.reason.text()
    fill(qtbot, form, path=str(big_log(tmp_path / "app.log", 8)))
    seen: list[tuple[int, int]] = []
    form.progressed.connect(lambda done, total: seen.append((done, total)))
    with qtbot.waitSignal(form.submitted, timeout=20_000):
        submit_and_wait(qtbot, form)
    assert len(seen) > 3 and seen[-1][0] == seen[-1][1] == (tmp_path / "app.log").stat().st_size
    assert " of " in form.rate.text() and "/s" in form.rate.text()
    assert stats(forms_sandbox)["support"]["uploads"] == before + 1
    assert [a.state for a in services.store.tickets.attachments(t.id)] == ["uploaded"]


def test_upload_can_be_cancelled_without_a_partial_attachment(qtbot, services, forms_sandbox, tmp_path):
    t = support_ticket(qtbot, services)
    before, files = stats(forms_sandbox)["support"]["uploads"], provider_files(forms_sandbox)
    form = open_form(qtbot, "upload", services, ticket_id=t.id)
    fill(qtbot, form, path=str(big_log(tmp_path / "huge.log", 40)))
    form.progressed.connect(lambda done, total: form.cancel_button.click())  # at the first chunk
    submit_and_wait(qtbot, form)
    assert "cancelled" in form.banner.text().lower()
    assert stats(forms_sandbox)["support"]["uploads"] == before
    qtbot.waitUntil(lambda: provider_files(forms_sandbox) == files, timeout=5000)  # partial body discarded
    assert all(a.state != "uploaded" for a in services.store.tickets.attachments(t.id))
    assert [i for i in services.store.outbox.undelivered() if i.kind == "support_upload"] == []
    assert services.store.drafts.load("upload", t.id) is not None  # still there to try again


def test_upload_offline_is_queued_with_a_cached_copy(qtbot, offline, tmp_path):
    t = support_ticket(qtbot, offline)
    form = open_form(qtbot, "upload", offline, ticket_id=t.id)
    photo = png(tmp_path / "receipt.png")
    drop_files(form, [photo])
    assert form.picker.value() == str(photo) and form.kind.value() == "photo"
    with qtbot.waitSignal(form.submitted, timeout=20_000):
        submit_and_wait(qtbot, form)
    assert "queued" in form.banner.text() and "copied into the cache" in form.banner.text()
    (att,) = offline.store.tickets.attachments(t.id)
    assert Path(att.cached_path).read_bytes() == photo.read_bytes()


# --- drafts -------------------------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from PySide6.QtTest import QTest
    app = QApplication([])
    from forms_conftest_helpers import make_services
    from supportdesk.ui.forms import create_form
    form = create_form("cardlytics", make_services(Path(sys.argv[1])))
    form.show()
    QTest.keyClicks(form.fields["offer_id"].editor, "1000030804")
    QTest.keyClicks(form.fields["description"].editor, "Expected cashback, observed none")
    print("typed", flush=True)
    app.exec()
""")


def test_a_draft_survives_killing_the_app(qtbot, tmp_path, qloop):
    data = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout.readline().strip() == "typed", child.stderr.read()
        qtbot.wait(900)  # less than the promised second
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    svc = make_services(data)
    form = open_form(qtbot, "cardlytics", svc)
    assert form.fields["offer_id"].editor.text() == "1000030804"
    assert form.fields["description"].editor.toPlainText() == "Expected cashback, observed none"
    assert "Draft restored" in form.banner.text()
    form.close()
    run(qtbot, svc.aclose())


def test_escape_keeps_the_draft_and_discard_removes_it(qtbot, offline):
    form = open_form(qtbot, "feedback", offline)
    fill(qtbot, form, user_id="john@example.com")
    qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Escape)
    assert not form.isVisible()
    again = open_form(qtbot, "feedback", offline)
    assert again.fields["user_id"].editor.text() == "john@example.com"
    second = open_form(qtbot, "cardlytics", offline)  # several forms at once, none modal
    assert again.isVisible() and second.isVisible()
    qtbot.mouseClick(again.discard_button, Qt.MouseButton.LeftButton)
    assert again.fields["user_id"].editor.text() == ""
    assert offline.store.drafts.load("feedback") is None


# --- settings -----------------------------------------------------------------------------------

def test_settings_put_secrets_in_the_keyring_only(qtbot, tmp_path, forms_sandbox, memory_keyring, qloop):
    config = tmp_path / "config.toml"
    config.write_text('# my desk\nprofile = "other"\n\n[profiles.other.cardlytics]\nbase_url = "https://x.example"\n')
    svc = make_services(tmp_path / "data", forms_sandbox.urls(), config_path=config, env={})
    form = open_form(qtbot, "settings", svc)
    url = form.fields["radar.base_url"].editor
    assert url.text() == forms_sandbox.urls()["radar"]
    url.clear()
    qtbot.keyClicks(url, "api.feedback.fyi")  # config.py's own rule, shown inline
    assert "http(s) URL" in form.fields["radar.base_url"].error.text() and not form.submit_button.isEnabled()
    url.setText(forms_sandbox.urls()["radar"])
    form.test_connection("radar")  # no password yet
    qtbot.waitUntil(lambda: "not set" in form.test_results["radar"].text(), timeout=10_000)
    secret = DEMO_RADAR_PASSWORD  # what the sandbox accepts: Test connection then logs in
    password = form.secret_edits["radar.password"]
    qtbot.keyClicks(password.edit, secret)
    assert password.edit.echoMode() is QLineEdit.EchoMode.Password
    qtbot.mouseClick(password.toggle, Qt.MouseButton.LeftButton)
    assert password.edit.echoMode() is QLineEdit.EchoMode.Normal
    form.fields["default"].editor.setChecked(True)
    qtbot.wait(600)  # let a draft be written, to prove it holds no secret
    with qtbot.waitSignal(form.submitted, timeout=10_000):
        submit_and_wait(qtbot, form)
    assert memory_keyring.items[("supportdesk/test", "radar.password")] == secret
    text = config.read_text()
    assert secret not in text and "# my desk" in text and 'profile = "test"' in text
    assert "[profiles.other.cardlytics]" in text
    for f in (tmp_path / "data").rglob("*"):
        assert not f.is_file() or secret.encode() not in f.read_bytes(), f
    form.test_connection("radar")
    qtbot.waitUntil(lambda: "Connected" in form.test_results["radar"].text(), timeout=10_000)
    form.close()
    run(qtbot, svc.aclose())


@pytest.mark.parametrize("with_tomlkit", [True, False])
def test_settings_file_keeps_other_profiles(tmp_path, monkeypatch, with_tomlkit):
    from supportdesk.config import load_config
    from supportdesk.ui.settings import config_file

    if not with_tomlkit:
        monkeypatch.setattr(config_file, "tomlkit", None)
    path = tmp_path / "config.toml"
    path.write_text('profile = "a"\n\n[profiles.a.support]\nbase_url = "https://a.example/api"\n')
    config_file.write_profile(path, "b", {"radar": {"base_url": "https://r.example", "username": "x y"},
                                          "webhook": {"port": 8766}}, make_default=True)
    b = load_config(path, env={})
    assert b.profile == "b" and b.settings["webhook"]["port"] == 8766
    assert load_config(path, profile="a", env={}).settings == {"support": {"base_url": "https://a.example/api"}}
    with pytest.raises(Exception, match="http"):
        config_file.write_profile(path, "b", {"radar": {"base_url": "nope", "username": "x"}}, False)
    assert load_config(path, env={}).settings["radar"]["base_url"] == "https://r.example"  # unchanged
