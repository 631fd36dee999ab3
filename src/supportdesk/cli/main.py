"""Entry point of the command line: parse, build the services, run, map errors to exit codes."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
from typing import Any, Awaitable, Callable

from supportdesk.app import build_services, setup_logging
from supportdesk.cli import commands
from supportdesk.cli.output import (
    EXIT_CONFIG, EXIT_INVALID, EXIT_NOT_FOUND, EXIT_OK, EXIT_REJECTED, err, flag_for,
)
from supportdesk.cli.parser import build_parser
from supportdesk.config import ConfigError, load_config
from supportdesk.providers.errors import ProviderError, Rejected
from supportdesk.services.errors import InvalidInput, NotConfigured, TicketNotFound

Handler = Callable[[argparse.Namespace, Any], Awaitable[int]]

HANDLERS: dict[tuple[str, str | None], Handler] = {
    ("ticket", "create"): commands.ticket_create,
    ("ticket", "list"): commands.ticket_list,
    ("ticket", "show"): commands.ticket_show,
    ("ticket", "refresh"): commands.ticket_refresh,
    ("ticket", "resubmit"): commands.ticket_resubmit,
    ("ticket", "find"): commands.ticket_find,
    ("file", "upload"): commands.file_upload,
    ("file", "download"): commands.file_download,
    ("invite", "send"): commands.invite_send,
    ("feedback", "send"): commands.feedback_send,
    ("outbox", "list"): commands.outbox,
    ("outbox", "retry"): commands.outbox,
    ("outbox", "drop"): commands.outbox,
    ("sync", None): commands.sync,
    ("export", "wasabi"): commands.export_wasabi,
}




def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "gui"):
        err("supportdesk: the window is opened by `python -m supportdesk` / the `supportdesk` "
            "script, not by the CLI module")
        return EXIT_CONFIG
    if args.command == "sandbox":
        return run_sandbox(args)
    try:
        config = load_config(args.config, args.data_dir, args.profile)
    except ConfigError as exc:
        err(f"supportdesk: configuration error: {exc}")
        return EXIT_CONFIG
    if args.command == "webhook":
        return run_webhook(args, config)
    handler = HANDLERS[(args.command, getattr(args, "action", None))]
    return asyncio.run(_run(handler, args, config))


async def _run(handler: Handler, args: argparse.Namespace, config: Any) -> int:
    try:
        setup_logging(config, verbose=args.verbose)
        svc = build_services(config)
    except ConfigError as exc:
        err(f"supportdesk: configuration error: {exc}")
        return EXIT_CONFIG
    if svc.store.recovery:
        err(f"supportdesk: warning: {svc.store.recovery}")
    try:
        return await handler(args, svc)
    except BrokenPipeError:  # `… | head`: the reader has what it wanted; no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except InvalidInput as exc:
        for field, message in exc.fields.items():
            err(f"supportdesk: invalid {flag_for(field)}: {message}")
        return EXIT_INVALID
    except TicketNotFound as exc:
        err(f"supportdesk: {exc}")
        return EXIT_NOT_FOUND
    except NotConfigured as exc:
        err(f"supportdesk: configuration error: {_missing_section(config, exc.provider)}")
        return EXIT_CONFIG
    except ConfigError as exc:
        err(f"supportdesk: configuration error: {exc}")
        return EXIT_CONFIG
    except Rejected as exc:
        err(f"supportdesk: {exc.provider} rejected the request: {exc}"
            + (f" — {exc.hint}" if exc.hint else ""))
        return EXIT_REJECTED
    except ProviderError as exc:
        err(f"supportdesk: {exc.provider} could not be reached: {exc}")
        return EXIT_NOT_FOUND
    finally:
        await svc.aclose()


def _missing_section(config: Any, provider: str) -> str:
    """What to add where: 'wasabi (post_url)' names the section and the setting it needs."""
    section, _, key = provider.partition(" (")
    key = key.rstrip(")") or "base_url"
    where = f"{config.config_path}: " if config.config_path else ""
    table = f"profiles.{config.profile}.{section}"
    if section in config.settings:  # the table is there, without the setting
        return f"{where}[{table}]: missing setting '{key}'"
    return f"{where}profile '{config.profile}' has no {section} settings: add [{table}] with its {key}"


def run_sandbox(args: argparse.Namespace) -> int:
    from supportdesk.sandbox import SandboxConfig, serve

    try:
        cfg = SandboxConfig(fault_rate=args.fault_rate, latency_ms=args.latency_ms,
                            token_ttl=args.token_ttl, webhook_url=args.webhook_url,
                            webhook_secret=os.environ.get("SUPPORTDESK_SECRET_WEBHOOK_SECRET"))
    except ValueError as exc:
        err(f"supportdesk: invalid sandbox setting: {exc}")
        return EXIT_INVALID
    if not 0 <= args.port <= 65535:
        err(f"supportdesk: invalid --port: {args.port} is not a port number (0-65535)")
        return EXIT_INVALID
    try:
        serve(cfg, host=args.host, port=args.port)
    except OSError as exc:  # the address is taken, or not this machine's
        err(f"supportdesk: invalid --port/--host: cannot listen on {args.host}:{args.port}: "
            f"{exc.strerror or exc}")
        return EXIT_INVALID
    return 0


def run_webhook(args: argparse.Namespace, config: Any) -> int:
    import uvicorn

    from supportdesk.services.webhook import build_webhook_app

    try:
        setup_logging(config, verbose=args.verbose)
        secret = config.secrets.get("webhook", "secret")
        svc = build_services(config)
    except ConfigError as exc:
        err(f"supportdesk: configuration error: {exc} (the listener refuses to start without it)")
        return EXIT_CONFIG
    hook = config.settings.get("webhook", {})
    host, port = hook.get("host", "127.0.0.1"), int(hook.get("port") or 8766)
    try:
        sock = socket.create_server((host, port))  # before saying it listens
    except (OSError, OverflowError) as exc:
        asyncio.run(svc.aclose())
        where = f"{config.config_path}: " if config.config_path else ""
        err(f"supportdesk: configuration error: {where}profiles.{config.profile}.webhook.port: cannot "
            f"listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}")
        return EXIT_CONFIG
    app = build_webhook_app(svc.webhook_intake(secret))
    err(f"Listening for cardlytics update events on http://{host}:{port}/ (Ctrl+C to stop)")
    try:
        uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
    finally:
        sock.close()
        asyncio.run(svc.aclose())
    return 0


if __name__ == "__main__":
    sys.exit(main())
