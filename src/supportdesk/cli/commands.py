"""Command handlers: each takes the parsed args and the services, prints, returns an exit code."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from supportdesk.models.ticket import SyncState, Ticket, iso
from supportdesk.providers.errors import ProviderError, Rejected
from supportdesk.services.errors import InvalidInput, TicketNotFound
from supportdesk.store import TicketQuery
from supportdesk.store.files import FileStore
from supportdesk.cli.output import (
    EXIT_NOT_FOUND, EXIT_OK, EXIT_REJECTED, Progress, emit_json, err, ticket_table,
    ticket_text,
)


def _print_ticket(args: argparse.Namespace, t: Ticket, svc: Any) -> int:
    if args.json:
        emit_json(t.to_json())
    else:
        print(ticket_text(t))
    return _write_exit(t.sync_state, _reason(svc, t.id, t.last_error), t.provider)


def _reason(svc: Any, target_id: str, error: str | None) -> str | None:
    """A rejected write's outbox row says what to do next beside the provider's words."""
    rows = [i for i in svc.store.outbox.for_target(target_id) if i.state == "failed" and i.last_error]
    return rows[-1].last_error if rows and error and rows[-1].last_error.startswith(error) else error


def _write_exit(state: SyncState, error: str | None, provider: str) -> int:
    if state is SyncState.FAILED:
        err(f"supportdesk: {provider} rejected it: {error}")
        return EXIT_REJECTED
    if state is SyncState.QUEUED and not sys.stdout.isatty():
        return EXIT_OK
    if state is SyncState.QUEUED:
        err("Queued: the provider could not be reached; `supportdesk sync` will send it.")
    return EXIT_OK


async def ticket_create(args: argparse.Namespace, svc: Any) -> int:
    if args.provider == "cardlytics":
        t = await svc.tickets.create_cardlytics(
            offer_id=args.offer_id, transaction_ids=args.transaction_id, customer_id=args.customer_id,
            description=args.description, author_email=args.author_email,
            source_ticket_id=args.source_ticket_id)
    else:
        t = await svc.tickets.create_support(
            uuid_=args.uuid, udid=args.udid, subject=args.subject, message=args.message,
            email=args.email, category=args.category, name=args.name, phone=args.phone,
            images=args.image)
    return _print_ticket(args, t, svc)


async def ticket_resubmit(args: argparse.Namespace, svc: Any) -> int:
    t = await svc.tickets.resubmit(
        args.id, offer_id=args.offer_id, transaction_ids=args.transaction_id,
        customer_id=args.customer_id, description=args.description, author_email=args.author_email)
    return _print_ticket(args, t, svc)


async def ticket_list(args: argparse.Namespace, svc: Any) -> int:
    if args.limit < 1:
        raise InvalidInput({"--limit": "must be at least 1"})
    q = TicketQuery(status=args.status.upper() if args.status else None, provider=args.provider,
                    search=args.search)
    tickets = svc.store.tickets.page(q, limit=args.limit + 1)
    if len(tickets) > args.limit:  # said on stderr, so --json stays one document
        tickets = tickets[:args.limit]
        err(f"supportdesk: the newest {args.limit} shown; more match (--limit N shows more)")
    if args.json:
        for t in tickets:
            t.attachments = svc.store.tickets.attachments(t.id)
            t.events = svc.store.tickets.events(t.id)
        emit_json([t.to_json() for t in tickets])
    elif tickets:
        print(ticket_table(tickets))
    else:
        err("No tickets match.")
    return EXIT_OK


async def ticket_show(args: argparse.Namespace, svc: Any) -> int:
    t = svc.tickets.get(args.id)
    if args.json:
        emit_json(t.to_json())
    else:
        print(ticket_text(t))
    return EXIT_OK


async def ticket_refresh(args: argparse.Namespace, svc: Any) -> int:
    if not args.ids and not args.all_open:
        raise InvalidInput({"ID": "give ticket ids or --all-open"})
    tickets, unknown = [], 0
    for ref in args.ids:  # an unknown id is reported; the others are refreshed all the same
        try:
            tickets.append(svc.tickets.get(ref))
        except TicketNotFound as exc:
            err(f"supportdesk: {exc}")
            unknown += 1
    if args.all_open:
        tickets += [t for t in svc.store.tickets.unresolved() if t.id not in {x.id for x in tickets}]
    done, errors = await svc.tickets.refresh(tickets)
    for t, e in errors:
        err(f"{t.id}: could not refresh: {e}")
    fresh = [svc.tickets.get(t.id) for t in tickets]
    if args.json:
        emit_json([t.to_json() for t in fresh])
    elif fresh:
        print(ticket_table(fresh))
    if unknown or (tickets and len(errors) == len(tickets)):
        return EXIT_NOT_FOUND  # an id not found, or nothing could be read
    return EXIT_OK


async def ticket_find(args: argparse.Namespace, svc: Any) -> int:
    crit = {k: v for k, v in {"email": args.email, "phone": args.phone, "uuid": args.uuid,
                              "udid": args.udid, "ticket_id": args.ticket_id,
                              "zendesk_ticket_id": args.zendesk_id}.items() if v}
    if not crit:
        raise InvalidInput({"criteria": "give at least one of --email, --phone, --uuid, --udid, "
                                        "--ticket-id, --zendesk-id"})
    try:
        found = await svc.tickets.find_support(**crit)
    except Rejected:
        raise
    except ProviderError as exc:
        err(f"supportdesk: the support provider could not be reached: {exc}")
        return EXIT_NOT_FOUND
    if args.json:
        emit_json([t.to_json() for t in found])
    elif found:
        print(ticket_table(found))
    else:
        err("The support provider has no ticket matching that.")
    return EXIT_OK if found else EXIT_NOT_FOUND


async def file_upload(args: argparse.Namespace, svc: Any) -> int:
    t, state = await svc.attachments.upload(args.ticket, Path(args.path), args.kind,
                                            progress=Progress(f"Uploading {Path(args.path).name}"))
    att = next((a for a in t.attachments if a.kind.value == args.kind), None)
    item = next((i for i in reversed(svc.store.outbox.for_target(t.id)) if i.kind == "support_upload"), None)
    doc = {"ticket": t.id, "kind": args.kind, "name": att.name if att else None,
           "cached_path": att.cached_path if att else None, "size": att.size if att else None,
           "sync_state": {"sent": "sent", "failed": "failed"}.get(state, "queued"),
           "last_error": item.last_error if item and state != "sent" else None}
    if args.json:
        emit_json(doc)
    else:
        print(f"{args.kind} {doc['name']} → {t.id}: {doc['sync_state']}"
              + (f" ({doc['last_error']})" if doc["last_error"] else ""))
    if state == "failed":
        err(f"supportdesk: support rejected the upload: {doc['last_error']}")
        return EXIT_REJECTED
    return EXIT_OK


def _out(value: str, *, folder_ok: bool) -> Path:
    """An --out path whose folder exists (checked before any work); a folder itself if allowed."""
    out = Path(value)
    if value.endswith(("/", "\\")) or out.is_dir():
        if not folder_ok:
            raise InvalidInput({"--out": f"{value}: is a folder; give a file name"})
        if not out.is_dir():
            raise InvalidInput({"--out": f"{value}: the folder does not exist"})
    elif not out.parent.is_dir():
        raise InvalidInput({"--out": f"{value}: its folder does not exist"})
    return out


async def file_download(args: argparse.Namespace, svc: Any) -> int:
    out = _out(args.out, folder_ok=True) if args.out else None
    try:
        att = await svc.attachments.download(args.ticket, args.kind,
                                             progress=Progress(f"Downloading {args.kind}"))
    except Rejected as exc:
        err(f"supportdesk: {exc}" + (f" — {exc.hint}" if exc.hint else ""))
        return EXIT_NOT_FOUND if exc.status in (None, 404) else EXIT_REJECTED
    except ProviderError as exc:
        err(f"supportdesk: no cached copy and the provider could not be reached: {exc}")
        return EXIT_NOT_FOUND
    path = Path(att.cached_path)
    if out is not None:  # into a folder under the file's own name, not the cache's hash name
        path = FileStore.export(path, out / Path(att.name).name if out.is_dir() else out)
    doc = {"ticket": att.ticket_id, "kind": att.kind.value, "name": att.name, "path": str(path),
           "cached_path": att.cached_path, "size": att.size, "media_type": att.media_type}
    if args.json:
        emit_json(doc)
    else:
        print(path)
    return EXIT_OK


def _print_write(args: argparse.Namespace, rec: Any, provider: str, svc: Any) -> int:
    if args.json:
        emit_json(rec.to_json())
    else:
        ref = f" (reference {rec.provider_reference})" if rec.provider_reference else ""
        print(f"{rec.id}: {rec.sync_state.value}{ref}")
    return _write_exit(rec.sync_state, _reason(svc, rec.id, rec.last_error), provider)


async def invite_send(args: argparse.Namespace, svc: Any) -> int:
    meta: dict[str, str] = {}
    for item in args.meta:
        if "=" not in item or not item.split("=", 1)[0].strip():
            raise InvalidInput({"--meta": f"{item!r} is not KEY=VALUE"})
        k, v = item.split("=", 1)
        meta[k.strip()] = v
    rec = await svc.invitations.send(
        client=args.client, programme=args.programme, location=args.location, pom=args.pom,
        email=args.email, mobile=args.mobile, first_name=args.first_name, last_name=args.last_name,
        metadata=meta)
    return _print_write(args, rec, "radar", svc)


async def feedback_send(args: argparse.Namespace, svc: Any) -> int:
    rec = await svc.feedback.send(
        user_id=args.user_id, offer_code=args.offer_code, bank_code=args.bank_code,
        outlet_code=args.outlet_code, feedback_type=args.type, comment=args.comment,
        lat=args.lat, lon=args.lon)
    return _print_write(args, rec, "offers_feedback", svc)


async def outbox(args: argparse.Namespace, svc: Any) -> int:
    if args.action == "list":
        items = svc.store.outbox.undelivered()
        if args.json:
            emit_json([i.to_json() for i in items])
        elif not items:
            print("The outbox is empty: everything has been delivered.")
        else:
            for i in items:
                state = "failed" if i.state == "failed" else "queued"
                print(f"{i.id:>5}  {state:6}  {i.kind:18} {i.target_id:20} attempts {i.attempts}"
                      + (f"  — {i.last_error}" if i.last_error else ""))
        return EXIT_OK
    try:
        item_id = int(args.id)
    except ValueError:
        raise InvalidInput({"ID": "an outbox id is a number (see `outbox list`)"}) from None
    item = svc.store.outbox.get(item_id)
    if item is None or item.state == "sent":
        err(f"supportdesk: no undelivered outbox row {item_id}")
        return EXIT_NOT_FOUND
    if args.action == "drop":
        if svc.sender.drop(item_id) is None:
            err(f"supportdesk: outbox row {item_id} is being sent; try again when it is done")
            return EXIT_NOT_FOUND
        if args.json:
            emit_json(item.to_json() | {"dropped": True})
        else:
            print(f"Dropped outbox row {item_id} ({item.kind} for {item.target_id}).")
        return EXIT_OK
    if item.state == "failed":
        svc.store.outbox.retry(item_id)
    outcome = await svc.sender.deliver(item_id)
    fresh = svc.store.outbox.get(item_id)
    if args.json:
        emit_json((fresh or item).to_json())
    else:
        print(f"Outbox row {item_id}: {outcome.state}" + (f" — {outcome.error}" if outcome.error else ""))
    if outcome.state == "failed":
        err(f"supportdesk: rejected: {outcome.error}")
        return EXIT_REJECTED
    return EXIT_OK


async def sync(args: argparse.Namespace, svc: Any) -> int:
    total = svc.store.outbox.count_undelivered()
    bar = Progress("Sending", enabled=sys.stderr.isatty() and not args.json)
    seen = 0

    def progress(outcome: Any) -> None:
        nonlocal seen
        if outcome.state in ("sent", "failed"):
            seen += 1
            bar(seen, max(total, seen))

    report = await svc.sync.run(on_progress=progress)
    doc = {"sent": report.sent, "failed": report.failed, "queued": report.pending,
           "refreshed": report.refreshed,
           "refresh_errors": [{"id": i, "error": e} for i, e in report.refresh_errors],
           "failures": [{"outbox_id": o.item_id, "error": o.error} for o in report.failures],
           "finished_at": iso(report.finished_at)}
    if args.json:
        emit_json(doc)
    else:
        print(f"Sent {report.sent}, rejected {report.failed}, still queued {report.pending}; "
              f"refreshed {report.refreshed} open ticket(s).")
        for o in report.failures:
            err(f"  outbox {o.item_id} rejected: {o.error}")
        for i, e in report.refresh_errors:
            err(f"  {i}: refresh failed: {e}")
    return EXIT_REJECTED if report.failed else EXIT_OK


async def export_wasabi(args: argparse.Namespace, svc: Any) -> int:
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput({"--since": f"{args.since!r} is not an ISO 8601 time"}) from None
        if since.tzinfo is None:
            from datetime import timezone
            since = since.replace(tzinfo=timezone.utc)
    if args.post:
        svc.export.check_post()  # before anything is written: a configuration error exits 4 at once
    if args.out:
        out_path = _out(args.out, folder_ok=False)
        tmp = out_path.with_name(out_path.name + ".part")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                events = svc.export.write(f, since)
            tmp.replace(out_path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InvalidInput({"--out": f"{args.out}: {exc.strerror or exc}"}) from None
    elif args.json:
        events = list(svc.export.events(since))
    else:
        events = svc.export.write(sys.stdout, since)
    posted, problem, code = 0, None, EXIT_OK
    if args.post:
        try:
            posted = await svc.export.post(events)
        except ProviderError as exc:  # written all the same; the POST can be run again
            problem = str(exc)
            code = EXIT_REJECTED if isinstance(exc, Rejected) else EXIT_NOT_FOUND
            err(f"supportdesk: the events were not posted: {exc}" + (f" — {exc.hint}" if exc.hint else ""))
    if args.json:
        doc: dict[str, Any] = {"events": len(events), "out": args.out, "posted": posted}
        if problem:
            doc["error"] = problem
        if not args.out:
            doc["items"] = events
        emit_json(doc)
    elif args.out:
        print(f"Wrote {len(events)} event(s) to {args.out}" + (f"; posted {posted}" if args.post else ""))
    return code
