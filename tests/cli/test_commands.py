"""The command line against the sandbox over loopback, run in a subprocess as a user would."""

from __future__ import annotations

import json
import time

import httpx
import pytest


pytestmark = pytest.mark.timeout(120)

CARD = ["ticket", "create", "cardlytics", "--offer-id", "1000030804", "--transaction-id",
        "1132328647", "--customer-id", "1756524", "--description", "Cashback missing for coffee"]
SUPPORT = ["ticket", "create", "support", "--uuid", "79af4bc5-a995-4262-92ee-0da381ccaf07",
           "--udid", "7237F578-828D-43D9-995D-F8B7AC8A4881", "--subject", "App crashes on login",
           "--message", "Since the update the app closes at the PIN screen",
           "--email", "john.connor@example.com", "--category", "cat1", "--phone", "+447700900123"]


def stats(server) -> dict:
    return httpx.get(server.base_url + "/_sandbox/stats").json()


def test_cardlytics_create_is_sent_then_synced_by_refresh(sandbox, cli_for):
    cli = cli_for(sandbox.base_url)
    r = cli(*CARD, "--json")
    assert r.code == 0, r.err
    t = r.json
    assert t["provider"] == "cardlytics" and t["sync_state"] == "sent" and t["status"] == "OPEN"
    assert stats(sandbox)["cardlytics"]["create_calls"] == {t["external_id"]: 1}
    time.sleep(1.0)
    r = cli("ticket", "refresh", t["id"], "--json")
    assert r.code == 0, r.err
    fresh = r.json[0]
    assert fresh["sync_state"] == "synced" and fresh["status"] in ("IN_PROGRESS", "RESOLVED")
    shown = cli("ticket", "show", t["external_id"], "--json").json
    assert shown["id"] == t["id"] and [e["kind"] for e in shown["events"]][:2] == ["created", "submitted"]
    # An unknown id among known ones: reported (exit 1), the known one refreshed all the same.
    r = cli("ticket", "refresh", "SD-NOPE", t["id"], "--json")
    assert r.code == 1 and "SD-NOPE" in r.err and [x["id"] for x in r.json] == [t["id"]]


def test_support_create_is_synced_with_zendesk_number(sandbox, cli_for):
    cli = cli_for(sandbox.base_url)
    r = cli(*SUPPORT, "--json")
    assert r.code == 0, r.err
    t = r.json
    assert t["sync_state"] == "synced" and t["status"] == "IN_PROGRESS"
    assert t["provider_status"] == "CREATED" and t["zendesk_id"] and t["external_id"]
    by_zendesk = cli("ticket", "show", t["zendesk_id"], "--json").json
    assert by_zendesk["id"] == t["id"]
    listed = cli("ticket", "list", "--search", "PIN screen", "--json").json
    assert [x["id"] for x in listed] == [t["id"]]


def test_invalid_input_exit_2_names_the_flag_and_stores_nothing(sandbox, cli_for):
    cli = cli_for(sandbox.base_url)
    args = list(CARD)
    for tx in range(11):
        args += ["--transaction-id", str(2000 + tx)]
    r = cli(*args)
    assert r.code == 2 and "--transaction-id" in r.err
    r = cli(*SUPPORT[:-2], "--phone", "0211234321")
    assert r.code == 2 and "--phone" in r.err
    r = cli("feedback", "send", "--user-id", "u@x.com", "--offer-code", "CST10", "--bank-code", "NWB",
            "--outlet-code", "CST-LDN-001", "--type", "1", "--comment", "declined", "--lat", "91",
            "--lon", "0")
    assert r.code == 2 and "--lat" in r.err
    assert cli("ticket", "list", "--json").json == []
    assert cli("outbox", "list", "--json").json == []
    assert stats(sandbox)["cardlytics"]["create_calls_total"] == 0


def test_rejection_exit_3_keeps_failed_record(sandbox, cli_for):
    cli = cli_for(sandbox.base_url)
    r = cli(*CARD, "--source-ticket-id", "dup-1", "--json")
    assert r.code == 0
    # A second local ticket with the same sourceTicketId is refused locally (exit 2)...
    assert cli(*CARD, "--source-ticket-id", "dup-1").code == 2
    # ...and a support create missing a field at the provider is rejected verbatim (exit 3).
    r = cli("invite", "send", "--client", "8291a9ed952342c5b5fe2915f2189e7c", "--programme",
            "5be2c07d9a1f4e63b8d0c4a7e19f2d36", "--location", "f88c422bcca2a92b03a56cc1057a40b2",
            "--email", "a@b.com", "--json")
    assert r.code == 3, r.err
    rec = r.json
    assert rec["sync_state"] == "failed" and rec["last_error"]
    # The record keeps the provider's words as they are; stderr and the outbox add what to do next.
    assert "—" not in rec["last_error"] and f"{rec['last_error']} — " in r.err
    failed = cli("outbox", "list", "--json").json
    assert [i["sync_state"] for i in failed] == ["failed"]
    assert failed[0]["last_error"].startswith(f"{rec['last_error']} — ")
    assert cli("outbox", "drop", str(failed[0]["id"])).code == 0
    assert cli("outbox", "list", "--json").json == []


def test_invitation_remembers_ids_and_feedback_is_sent(sandbox, cli_for):
    cli = cli_for(sandbox.base_url)
    r = cli("invite", "send", "--client", "8291a9ed952342c5b5fe2915f2189e7c", "--programme",
            "1cf118a0326d47aa851a90b9674e90aa", "--location", "f88c422bcca2a92b03a56cc1057a40b2",
            "--email", "dave@example.com", "--first-name", "Dave", "--meta", "booking_reference=1223",
            "--json")
    assert r.code == 0, r.err
    assert r.json["sync_state"] == "sent" and int(r.json["provider_reference"]) > 2 ** 53
    # The next one reuses the remembered client and programme.
    r = cli("invite", "send", "--location", "f88c422bcca2a92b03a56cc1057a40b2", "--mobile",
            "0211234321", "--json")
    assert r.code == 0, r.err
    assert len(stats(sandbox)["radar"]["invitations"]) == 2
    r = cli("feedback", "send", "--user-id", "u@example.com", "--offer-code", "CST10", "--bank-code",
            "NWB", "--outlet-code", "CST-LDN-001", "--type", "1", "--comment", "declined at till",
            "--lat", "51.5", "--lon", "-0.12", "--json")
    assert r.code == 0, r.err
    assert r.json["sync_state"] == "sent" and r.json["provider_reference"]


def test_config_errors_exit_4(tmp_path, sandbox, cli_for):
    cli = cli_for(sandbox.base_url)
    cli.config.write_text(cli.config.read_text() + "\n[profiles.test.radar2]\nx = 1\n")
    r = cli("ticket", "list")
    assert r.code == 4 and "config.toml:" in r.err and "radar2" in r.err
    cli.config.write_text(cli.config.read_text().replace("\n[profiles.test.radar2]\nx = 1\n", ""))
    env = {"SUPPORTDESK_SECRET_RADAR_PASSWORD": ""}
    r = cli("invite", "send", "--client", "abc", "--programme", "def", "--location", "x1",
            "--email", "a@b.com", env=env)
    assert r.code == 4 and "SUPPORTDESK_SECRET_RADAR_PASSWORD" in r.err
    assert cli("webhook", "serve").code == 4


def test_not_found_exit_1(sandbox, cli_for):
    cli = cli_for(sandbox.base_url)
    assert cli("ticket", "show", "SD-NOPE").code == 1


def test_upload_and_download_files(sandbox, cli_for, tmp_path):
    cli = cli_for(sandbox.base_url)
    t = cli(*SUPPORT, "--json").json
    log = tmp_path / "app.log"
    log.write_bytes(b"2024-01-01 INFO start\n" * 250_000)  # ~5 MB
    r = cli("file", "upload", t["id"], str(log), "--kind", "log", "--json")
    assert r.code == 0, r.err
    assert r.json["sync_state"] == "sent"
    cached = r.json["cached_path"]
    assert open(cached, "rb").read() == log.read_bytes()
    out = tmp_path / "back.log"
    r = cli("file", "download", t["zendesk_id"], "--kind", "log", "--out", str(out), "--json")
    assert r.code == 0, r.err
    assert out.read_bytes() == log.read_bytes()
    # Into a folder: under the file's own name, not the cache's; a missing folder is an input error.
    folder = tmp_path / "downloads"
    folder.mkdir()
    r = cli("file", "download", t["id"], "--kind", "log", "--out", f"{folder}/", "--json")
    assert r.code == 0 and r.json["path"] == str(folder / "app.log") and (folder / "app.log").exists()
    r = cli("file", "download", t["id"], "--kind", "log", "--out", f"{tmp_path}/missing/")
    assert r.code == 2 and "invalid --out" in r.err and not (tmp_path / "missing").exists()
    # A photo that is not an image is refused before anything is sent.
    r = cli("file", "upload", t["id"], str(log), "--kind", "photo")
    assert r.code == 2 and "photo" in r.err


def test_find_caches_seeded_tickets_and_download_reuses_cache(sandbox, cli_for, tmp_path):
    cli = cli_for(sandbox.base_url)
    r = cli("ticket", "find", "--uuid", "79af4bc5-a995-4262-92ee-0da381ccaf07", "--json")
    assert r.code == 0, r.err
    found = r.json
    assert found and all(t["provider"] == "support" for t in found)
    with_log = next(t for t in found if any(a["kind"] == "log" for a in t["attachments"]))
    first = cli("file", "download", with_log["id"], "--kind", "log", "--json")
    assert first.code == 0, first.err
    sandbox.stop()  # offline now: the cached copy still opens
    again = cli("file", "download", with_log["id"], "--kind", "log", "--json")
    assert again.code == 0 and again.json["cached_path"] == first.json["cached_path"]


def test_export_wasabi_validates_and_posts(sandbox, cli_for, tmp_path):
    cli = cli_for(sandbox.base_url)
    cli(*SUPPORT)
    cli(*CARD)
    out = tmp_path / "events.ndjson"
    r = cli("export", "wasabi", "--out", str(out), "--post", "--json")
    assert r.code == 0, r.err
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert {e["eventAction"] for e in lines} >= {"CREATED"}
    assert all(e["version"] == 1.0 and e["body"]["createdAt"].endswith("Z") for e in lines)
    assert stats(sandbox)["wasabi"]["events"] == len(lines) == r.json["posted"]


def test_repeated_flags_and_lists_both_work(sandbox, cli_for):
    cli = cli_for(sandbox.base_url)
    r = cli(*CARD[:-5], "1132328647", "2001", "--transaction-id", "2002", "--customer-id", "1756524",
            "--description", "Three purchases, one reward", "--json")
    assert r.code == 0, r.err
    assert r.json["details"]["transactionIds"] == [1132328647, 2001, 2002]
    r = cli("ticket", "find", "--email", "nobody@example.com", "--json")
    assert r.code == 1 and r.json == []


def test_a_dropped_write_is_failed_not_queued_and_its_upload_gives_up(cli_for, tmp_path):
    from tests.conftest import free_port

    cli = cli_for(f"http://127.0.0.1:{free_port()}")  # nobody listens: everything queues
    t = cli(*SUPPORT, "--json").json
    log = tmp_path / "app.log"
    log.write_text("2026-03-02 09:00:00 INFO started\n")
    assert cli("file", "upload", t["id"], str(log), "--kind", "log").code == 0
    rows = {i["kind"]: i["id"] for i in cli("outbox", "list", "--json").json}
    assert cli("outbox", "drop", str(rows["support_create"])).code == 0
    dropped = cli("ticket", "show", t["id"], "--json").json
    assert dropped["sync_state"] == "failed" and "Dropped from the outbox" in dropped["last_error"]
    # The upload waited for that ticket to be created: it can never go now, and says so.
    assert cli("sync", "--json").code == 3
    left = cli("outbox", "list", "--json").json
    assert [(i["kind"], i["sync_state"]) for i in left] == [("support_upload", "failed")]
    assert "never created at the provider" in left[0]["last_error"]


def test_a_missing_image_is_named_by_its_flag(sandbox, cli_for):
    r = cli_for(sandbox.base_url)(*SUPPORT, "--image", "/nonexistent/receipt.jpg")
    assert r.code == 2 and "invalid --image:" in r.err and "does not exist" in r.err


def test_bad_places_and_ports_are_errors_not_tracebacks(sandbox, cli_for, tmp_path):
    import socket

    cli = cli_for(sandbox.base_url)
    r = cli("export", "wasabi", "--out", str(tmp_path / "missing" / "events.ndjson"))
    assert r.code == 2 and "invalid --out:" in r.err and "Traceback" not in r.err
    r = cli("sandbox", "--port", "99999")
    assert r.code == 2 and "invalid --port" in r.err and "Traceback" not in r.err
    with socket.create_server(("127.0.0.1", 0)) as taken:
        r = cli("sandbox", "--port", str(taken.getsockname()[1]))
    assert r.code == 2 and "cannot listen" in r.err and "Traceback" not in r.err


def test_a_list_cut_by_its_limit_says_so(sandbox, cli_for):
    cli = cli_for(sandbox.base_url)
    for i in range(3):
        assert cli(*CARD[:-1], f"Cashback missing #{i}").code == 0
    r = cli("ticket", "list", "--limit", "2", "--json")
    assert r.code == 0 and len(r.json) == 2 and "more match" in r.err
    r = cli("ticket", "list", "--limit", "3", "--json")
    assert len(r.json) == 3 and "more match" not in r.err


def test_output_piped_into_a_reader_that_stops_early_is_no_error(sandbox, cli_for):
    cli = cli_for(sandbox.base_url)
    for i in range(15):  # more NDJSON than the reader takes
        assert cli(*CARD[:-1], f"Cashback missing for coffee, order #{i}").code == 0
    p = cli.popen("export", "wasabi")
    assert p.stdout.read(100)
    p.stdout.close()  # as `| head -c 100` does
    _, stderr = p.communicate(timeout=60)
    assert p.returncode == 0 and "Traceback" not in stderr and "BrokenPipe" not in stderr
