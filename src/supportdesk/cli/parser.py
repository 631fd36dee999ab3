"""The argument parser: names fixed by CLI.md."""

from __future__ import annotations

import argparse

from supportdesk import __version__

DESCRIPTION = ("Supportdesk: an offline-first desk for support agents. With no command it opens the "
               "window; the commands below are its twin for scripts and support engineers.")
EPILOG = ("Configuration: --config / SUPPORTDESK_CONFIG (TOML), --data-dir / SUPPORTDESK_DATA_DIR, "
          "--profile / SUPPORTDESK_PROFILE (default: the file's `profile`, else the built-in "
          "`sandbox`). Secrets come from SUPPORTDESK_SECRET_<PROVIDER>_<NAME> or the system keyring. "
          "Exit codes: 0 done or safely queued, 1 not found / unreachable read, 2 invalid input, "
          "3 rejected by the provider, 4 configuration error.")


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print exactly one JSON document on stdout")


# Global options that take a value, so that `command_of` can skip it.
_VALUED = ("--config", "--data-dir", "--profile")


def command_of(argv: list[str]) -> str | None:
    """The command word in argv (None for none), without building the whole parser; "-h" when
    the top-level help or version is asked for."""
    args = iter(argv)
    for arg in args:
        if arg in _VALUED:
            next(args, None)
        elif arg in ("-h", "--help", "--version"):
            return "-h"
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(*, gui_only: bool = False) -> argparse.ArgumentParser:
    """The CLI's parser; `gui_only` leaves out the other commands (the window's start-up does
    not pay for building them)."""
    p = argparse.ArgumentParser(prog="supportdesk", description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("--version", action="version", version=f"supportdesk {__version__}")
    p.add_argument("--config", metavar="FILE", help="configuration file (TOML)")
    p.add_argument("--data-dir", metavar="DIR", help="where the cache, files and logs live")
    p.add_argument("--profile", metavar="NAME", help="configuration profile to use")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug detail to the log file")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    g = sub.add_parser("gui", help="open the main window (the default)")
    g.add_argument("--compose", choices=["cardlytics", "support", "invitation", "feedback"],
                   help="open with this form ready to fill in")
    if gui_only:
        return p

    s = sub.add_parser("sandbox", help="serve all five provider APIs for demos and tests")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--fault-rate", type=float, default=0.0, metavar="F",
                   help="fraction of requests dropped or answered 5xx (0-1)")
    s.add_argument("--latency-ms", type=int, default=0, metavar="N")
    s.add_argument("--token-ttl", type=float, default=3600.0, metavar="S", help="radar token lifetime")
    s.add_argument("--webhook-url", metavar="URL", help="where cardlytics update events are POSTed")

    _tickets(sub)

    f = sub.add_parser("file", help="attach and fetch log and photo files").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    fu = f.add_parser("upload", help="attach a file to a support ticket")
    fu.add_argument("ticket", metavar="TICKET")
    fu.add_argument("path", metavar="PATH")
    fu.add_argument("--kind", required=True, choices=["log", "photo"])
    _json(fu)
    fd = f.add_parser("download", help="fetch (or reuse the cached copy of) a file")
    fd.add_argument("ticket", metavar="TICKET")
    fd.add_argument("--kind", required=True, choices=["log", "photo"])
    fd.add_argument("--out", metavar="PATH", help="copy the file here (a file or a folder)")
    _json(fd)

    inv = sub.add_parser("invite", help="feedback invitations (radar)").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    i = inv.add_parser("send", help="send one feedback invitation")
    i.add_argument("--client", metavar="ID")
    i.add_argument("--programme", metavar="ID")
    i.add_argument("--location", required=True, metavar="ID")
    i.add_argument("--pom", metavar="ID")
    i.add_argument("--email", metavar="E")
    i.add_argument("--mobile", metavar="M")
    i.add_argument("--first-name", metavar="F")
    i.add_argument("--last-name", metavar="L")
    i.add_argument("--meta", action="extend", nargs="+", default=[], metavar="KEY=VALUE")
    _json(i)

    fb = sub.add_parser("feedback", help="offer feedback").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    fs = fb.add_parser("send", help="send offer feedback")
    fs.add_argument("--user-id", required=True, metavar="U")
    fs.add_argument("--offer-code", required=True, metavar="O")
    fs.add_argument("--bank-code", required=True, metavar="B")
    fs.add_argument("--outlet-code", required=True, metavar="C")
    fs.add_argument("--type", required=True, metavar="T", help="1 Merchant Declined, 2 Offer Expired")
    fs.add_argument("--comment", required=True, metavar="TEXT")
    fs.add_argument("--lat", required=True, metavar="F")
    fs.add_argument("--lon", required=True, metavar="F")
    _json(fs)

    ob = sub.add_parser("outbox", help="what waits to be sent, and why").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    _json(ob.add_parser("list", help="every row not yet delivered"))
    for name, text in (("retry", "send a failed row again"), ("drop", "give up on a row")):
        o = ob.add_parser(name, help=text)
        o.add_argument("id", metavar="ID")
        _json(o)

    sy = sub.add_parser("sync", help="send the outbox, then refresh every open ticket")
    _json(sy)

    wh = sub.add_parser("webhook", help="the cardlytics update listener").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    wh.add_parser("serve", help="run the listener in the foreground")

    ex = sub.add_parser("export", help="export events").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    ew = ex.add_parser("wasabi", help="customer-care-ticket events as NDJSON")
    ew.add_argument("--out", metavar="FILE", help="write here (default: stdout)")
    ew.add_argument("--since", metavar="ISO8601", help="only changes at or after this time")
    ew.add_argument("--post", action="store_true", help="also POST them to the profile's wasabi.post_url")
    _json(ew)
    return p


def _tickets(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("ticket", help="file, list, show and refresh tickets").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    c = t.add_parser("create", help="file a ticket").add_subparsers(
        dest="provider", metavar="PROVIDER", required=True)
    cc = c.add_parser("cardlytics", help="file a cardlytics dispute ticket")
    cc.add_argument("--offer-id", required=True, metavar="N")
    cc.add_argument("--transaction-id", required=True, action="extend", nargs="+", metavar="N",
                    help="repeat the flag (or list several) for up to 10 transactions")
    cc.add_argument("--customer-id", required=True, metavar="ID")
    cc.add_argument("--description", required=True, metavar="TEXT")
    cc.add_argument("--author-email", metavar="E")
    cc.add_argument("--source-ticket-id", metavar="ID")
    _json(cc)
    cs = c.add_parser("support", help="file a support (Zendesk) ticket")
    for flag in ("--uuid", "--udid", "--subject", "--message", "--email", "--category"):
        cs.add_argument(flag, required=True)
    cs.add_argument("--name")
    cs.add_argument("--phone", help="international format, e.g. +919916248135")
    cs.add_argument("--image", action="extend", nargs="+", default=[], metavar="FILE")
    _json(cs)

    ls = t.add_parser("list", help="cached tickets, newest first")
    ls.add_argument("--status", choices=["open", "in_progress", "resolved"], type=str.lower)
    ls.add_argument("--provider", choices=["cardlytics", "support"])
    ls.add_argument("--search", metavar="TEXT", help="full-text search")
    ls.add_argument("--limit", type=int, default=50, metavar="N")
    _json(ls)
    sh = t.add_parser("show", help="one ticket with its history")
    sh.add_argument("id", metavar="ID")
    _json(sh)
    rf = t.add_parser("refresh", help="fetch the provider's current state")
    rf.add_argument("ids", nargs="*", metavar="ID")
    rf.add_argument("--all-open", action="store_true")
    _json(rf)
    rs = t.add_parser("resubmit", help="correct and resubmit a cardlytics ticket")
    rs.add_argument("id", metavar="ID")
    rs.add_argument("--offer-id", metavar="N")
    rs.add_argument("--transaction-id", action="extend", nargs="+", metavar="N")
    rs.add_argument("--customer-id", metavar="ID")
    rs.add_argument("--description", metavar="TEXT")
    rs.add_argument("--author-email", metavar="E")
    _json(rs)
    fi = t.add_parser("find", help="search the support provider")
    for flag in ("--email", "--phone", "--uuid", "--udid", "--ticket-id", "--zendesk-id"):
        fi.add_argument(flag)
    _json(fi)
