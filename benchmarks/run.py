"""Run every Supportdesk benchmark, print a table with the targets, write benchmarks/results.json.

    .venv/bin/python -m benchmarks.run            # the issue's scale: 1M cached tickets
    BENCH_SCALE=20000 .venv/bin/python -m benchmarks.run   # a quick run
    BENCH_ONLY=search,outbox .venv/bin/python -m benchmarks.run  # some of them

Environment: BENCH_SCALE (tickets in the big cache, default 1000000), BENCH_DIR (where caches and
scratch files live, default /tmp/supportdesk-bench; generated caches are kept there and reused while
the generator is unchanged, an older schema being migrated when opened), BENCH_UPLOAD_MB (default 500, scaled down with
BENCH_SCALE), BENCH_ONLY (comma-separated groups: window, search, list, outbox, export, network).

Ratios are against a baseline measured in the same run (a bare PySide6 window, curl), since the
machine is shared and noisy. Benchmarks assert nothing; they print figures.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # `python benchmarks/run.py` as well as `-m benchmarks.run`
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import fill  # noqa: E402
from benchmarks.probe_window import clean_uploads  # noqa: E402

SCALE = int(os.environ.get("BENCH_SCALE", "1000000"))
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/supportdesk-bench"))
ONLY = {s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()}
UPLOAD_MB = int(os.environ.get("BENCH_UPLOAD_MB", "0")) or max(50, min(500, 500 * SCALE // 1_000_000))
WINDOW_TICKETS = min(100_000, SCALE)

TARGETS: dict[str, tuple[str, float, str]] = {
    # key: (comparison, target, what)
    "first_window_ratio": ("<=", 1.5, f"first painted window, {WINDOW_TICKETS:,} cached ÷ bare PySide6"),
    "search_p95_ms": ("<=", 20, f"FTS first page p95, {SCALE:,} tickets"),
    "list_page_worst_ms": ("<=", 16, f"worst inbox page fetch/sort, {SCALE:,} tickets"),
    "rss_mb_1m": ("<=", 250, f"window RSS after scrolling {SCALE:,} tickets"),
    "loop_stall_max_ms": ("<=", 16, f"event-loop stall, 200 calls + {UPLOAD_MB} MB upload"),
    "upload_rss_growth_mb": ("<=", 32, f"RSS growth during a {UPLOAD_MB} MB upload"),
    "upload_throughput_ratio": (">=", 0.8, "upload bytes/s ÷ curl's"),
    "outbox_enqueue_p99_ms": ("<=", 1, f"durable enqueue p99, {SCALE:,} tickets"),
    "export_events_per_s": (">=", 20000, "wasabi export incl. validation"),
}


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def wanted(group: str) -> bool:
    return not ONLY or group in ONLY


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


# --- caches ----------------------------------------------------------------------------------

def _fingerprint() -> str:
    """The generator's source only: a cache made at an older schema is upgraded in place by the
    app's migrations when a benchmark opens it (regenerating 1M tickets takes half an hour)."""
    return hashlib.sha1((HERE / "generate.py").read_bytes()).hexdigest()[:10]


def data_dir(n: int, seed: int = 1) -> Path:
    """A Supportdesk data dir (profile 'bench') holding a generated cache of n tickets, made once
    and reused while the generator is unchanged (the dir's `generator` file). Every benchmark opens
    the cache by this one path: a WAL database must never be opened under two names (hard links)
    at once."""
    WORK.mkdir(parents=True, exist_ok=True)
    gen = _fingerprint()
    for d in sorted(WORK.glob(f"data-{n}-s{seed}-*")):
        mark = d / "generator"
        made_by = mark.read_text().strip() if mark.exists() else None
        if (d / "bench" / "supportdesk.db").exists() and made_by in (gen, None):
            if made_by is None:  # named by the old fingerprint (generator + schema.py)
                mark.write_text(gen + "\n")
            return d
    d = WORK / f"data-{n}-s{seed}-{gen}"
    path = d / "bench" / "supportdesk.db"
    for stale in WORK.glob(f"data-{n}-s{seed}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    log(f"generating {n:,} tickets into {d.name} ...")
    tmp = WORK / f"generating-{n}.db"
    for p in WORK.glob(tmp.name + "*"):
        p.unlink()
    info = fill(tmp, n, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(path)
    (d / "generator").write_text(gen + "\n")
    log(f"generated in {info['total_s']:.0f} s ({info['events']:,} events)")
    return d


def cache(n: int, seed: int = 1) -> Path:
    return data_dir(n, seed) / "bench" / "supportdesk.db"


def probe_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(WORK / "xdg")  # fresh QSettings: the same first window every run
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    # As installed (pip and the bundle ship .pyc): this machine sets PYTHONDONTWRITEBYTECODE, which
    # made every window probe compile the app's modules from source (~40 ms of its start-up).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def probe(*args: str, timeout: float = 1800) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.probe_window", *args]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=probe_env(), capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    line = [l for l in proc.stdout.splitlines() if l.startswith("{")][-1]
    out = json.loads(line)
    out["_t0"] = t0
    return out


# --- benchmarks ------------------------------------------------------------------------------

BENCH_CONFIG = """profile = "bench"

[profiles.bench.cardlytics]
base_url = "http://127.0.0.1:9/cardlytics"

[profiles.bench.support]
base_url = "http://127.0.0.1:9/support"
"""
PAINTED = re.compile(r"window painted .*\(monotonic ([0-9.]+)\)")


def desk_command() -> list[str]:
    """The console script a user runs (the venv's), else `python -m supportdesk`."""
    script = Path(sys.executable).with_name("supportdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "supportdesk"]


def desk_first_paint(data: Path) -> float:
    """Seconds from starting the real `supportdesk gui` (config file, logging, single instance,
    the cached inbox) to its first painted window, which the desk writes to its log."""
    cfg = WORK / "bench-config.toml"
    cfg.write_text(BENCH_CONFIG)
    logfile = data / "logs" / "supportdesk.log"
    offset = logfile.stat().st_size if logfile.exists() else 0
    env = probe_env() | {"SUPPORTDESK_SECRET_CARDLYTICS_AUTH_VALUE": "bench",
                         "SUPPORTDESK_SECRET_SUPPORT_AUTH_VALUE": "bench"}
    errors = WORK / "desk-stderr.txt"
    t0 = time.monotonic()
    with errors.open("w") as err:
        proc = subprocess.Popen([*desk_command(), "--config", str(cfg), "--data-dir", str(data), "gui"],
                                cwd=WORK, env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        while time.monotonic() < t0 + 60:
            time.sleep(0.02)  # the desk stamps the time itself; polling late costs nothing
            if logfile.exists():
                with logfile.open(encoding="utf-8") as f:
                    f.seek(offset)
                    found = PAINTED.search(f.read())
                if found:
                    return float(found.group(1)) - t0
            if proc.poll() is not None:
                raise RuntimeError(f"supportdesk gui exited {proc.returncode}:\n{errors.read_text()[-3000:]}")
        raise RuntimeError("supportdesk gui did not paint within 60 s")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def bench_window(results: dict[str, float], extra: dict[str, Any]) -> None:
    shutil.rmtree(WORK / "xdg", ignore_errors=True)
    data = data_dir(WINDOW_TICKETS)
    bare, real, floor = [], [], []
    probe("bare")  # warm the OS file cache for all kinds alike (and write the .pyc files)
    probe("floor")
    desk_first_paint(data)
    for _ in range(5):
        b = probe("bare")
        bare.append(b["painted"] - b["_t0"])
        f = probe("floor")
        floor.append(f["painted"] - f["_t0"])
        shutil.rmtree(WORK / "xdg", ignore_errors=True)  # fresh QSettings: the same first window
        real.append(desk_first_paint(data))
    results["first_window_ratio"] = statistics.median(real) / statistics.median(bare)
    extra["first_window"] = {"bare_s": bare, "window_s": real, "floor_s": floor,
                             "floor_ratio": statistics.median(floor) / statistics.median(bare)}
    log(f"first window: bare {statistics.median(bare) * 1000:.0f} ms, "
        f"window {statistics.median(real) * 1000:.0f} ms; a plain PySide6 main window of the same "
        f"shape (no app code) {statistics.median(floor) * 1000:.0f} ms, "
        f"ratio {extra['first_window']['floor_ratio']:.2f}")


def _search_terms(store: Any, rng: random.Random) -> dict[str, list[str]]:
    rows = store.db.query("SELECT description, email, external_id FROM tickets WHERE rowid IN "
                          "(SELECT abs(random()) % (SELECT max(rowid) FROM tickets) FROM tickets LIMIT 40)")
    rare: list[str] = []
    for r in rows:
        words = [w for w in r["description"].replace(",", " ").split() if w.startswith("R") and w[1:].isdigit()]
        if words:
            rare.append(words[0].rstrip("."))
        if r["email"] and "@desk." not in r["email"]:
            rare.append(r["email"])
        if r["external_id"]:
            rare.append(r["external_id"])  # an id pasted from a provider
    rare = rare[:8] + ["Corner Shop 317", "Hiroshi Tanaka", "xyzzy-nothing"]
    common = ["card", "cashback", "offer", "app", "Costa Coffee", "thanks for your help"]
    prefix = ["ca", "cas", "cashb", "decl", "merch", "thank", "pri", "tesco m", "recei", "cardly",
              "agent1"]
    return {"rare": rare, "common": common, "prefix": prefix}


def bench_search(results: dict[str, float], extra: dict[str, Any]) -> None:
    from supportdesk.store import Store, TicketQuery
    from supportdesk.store.inbox import fts_match

    store = Store(cache(SCALE))
    terms = _search_terms(store, random.Random(3))
    times: list[float] = []
    per: dict[str, dict[str, float]] = {}
    for kind, words in terms.items():
        for w in words:
            q = TicketQuery(search=w)
            store.tickets.page_rows(q, limit=200)  # warm-up: the desk in use, its pages in memory
            ts = []
            for _ in range(5):
                t = time.perf_counter()
                rows = store.tickets.page_rows(q, limit=200)  # the model's first page
                ts.append((time.perf_counter() - t) * 1000)
            times += ts
            per[f"{kind}:{w}"] = {"median_ms": statistics.median(ts), "max_ms": max(ts), "rows": len(rows)}
            # Not a timing: the fast path must give exactly what one sorted query gives.
            plain = store.inbox._page(q, fts_match(w), None, 200)
            if [r["id"] for r in plain] != [r["id"] for r in rows]:
                raise AssertionError(f"search {w!r}: the first page differs from the plain sorted query")
    store.close()
    results["search_p95_ms"] = pct(times, 95)
    extra["search"] = per
    worst = sorted(per.items(), key=lambda kv: -kv[1]["median_ms"])[:5]
    log("search slowest: " + ", ".join(f"{k} {v['median_ms']:.1f} ms" for k, v in worst))


def bench_list(results: dict[str, float], extra: dict[str, Any]) -> None:
    data = data_dir(SCALE)
    out = probe("scroll", "--data-dir", str(data), timeout=3600)
    out.pop("_t0", None)
    results["list_page_worst_ms"] = max(out["page_worst_ms"], out["jump_worst_ms"], out.get("sort_worst_ms", 0.0))
    results["rss_mb_1m"] = out["rss_after_scroll_mb"]
    extra["list"] = out
    log(f"list: {out['pages']} pages, worst {out['page_worst_ms']:.1f} ms, jumps worst "
        f"{out['jump_worst_ms']:.1f} ms (rows shown in {out['jump_fill_median_ms']:.0f} ms, at most "
        f"{out['jump_fill_max_ms']:.0f}), sorts worst {out.get('sort_worst_ms', 0):.1f} ms, "
        f"RSS {out['rss_after_scroll_mb']:.0f} MB")


def bench_outbox(results: dict[str, float], extra: dict[str, Any]) -> None:
    """One durable write as the services make it: ticket + event + outbox row, one commit."""
    import uuid

    from supportdesk.models.ticket import Ticket, TicketEvent, new_local_id, utcnow
    from supportdesk.store import Store

    store = Store(cache(SCALE))
    assert store.db.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    made: list[str] = []
    times: list[float] = []
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the desk at rest, then an agent writes
    deadline = time.monotonic() + 30
    while not store.db.wal_grown() and time.monotonic() < deadline:  # at rest: its WAL pre-grown
        time.sleep(0.05)
    time.sleep(0.2)
    try:
        for i in range(1100):
            now = utcnow()
            t = Ticket(id=new_local_id(), provider="support", customer_id=str(uuid.uuid4()),
                       email=f"bench{i}@example.com", subject="Cashback not credited",
                       description=f"Bench write {i}: the cashback for my Costa Coffee purchase is missing.",
                       created_at=now, updated_at=now, data={"udid": "X", "category": "cashback"})
            ev = TicketEvent(ticket_id=t.id, at=now, kind="created", summary="Filed; queued",
                             status=t.status)
            start = time.perf_counter()
            with store.transaction():
                store.tickets.insert(t)
                store.tickets.add_event(ev)
                store.outbox.enqueue("support_create", t.id, {"request": {"subject": t.subject}},
                                     str(uuid.uuid4()))
            times.append((time.perf_counter() - start) * 1000)
            made.append(t.id)
    finally:
        with store.transaction() as c:  # leave the shared cache as generated
            for tid in made:
                c.execute("DELETE FROM outbox WHERE target_id = ?", (tid,))
                c.execute("DELETE FROM tickets WHERE id = ?", (tid,))
        store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
    times = times[100:]  # the first writes warm the page cache
    results["outbox_enqueue_p99_ms"] = pct(times, 99)
    extra["outbox"] = {"p50_ms": pct(times, 50), "p99_ms": pct(times, 99), "max_ms": max(times)}
    log(f"outbox: p50 {pct(times, 50):.2f} ms, p99 {pct(times, 99):.2f} ms, max {max(times):.2f} ms")


def bench_export(results: dict[str, float], extra: dict[str, Any]) -> None:
    from supportdesk.services.export import ExportService
    from supportdesk.store import Store

    store = Store(cache(SCALE))
    limit = 200_000
    n = 0
    t = time.perf_counter()
    for _event in ExportService(store).events():
        n += 1
        if n >= limit:
            break
    secs = time.perf_counter() - t
    store.close()
    results["export_events_per_s"] = n / secs
    extra["export"] = {"events": n, "seconds": secs}
    log(f"export: {n:,} events in {secs:.1f} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_network(results: dict[str, float], extra: dict[str, Any]) -> None:
    import httpx

    scratch = WORK / "network"
    shutil.rmtree(scratch, ignore_errors=True)
    (scratch / "files").mkdir(parents=True)
    upload = scratch / "big.log"
    chunk = (b"2026-03-02T09:00:00Z INFO app started; offers tab opened; 200 OK\n" * 16384)
    with open(upload, "wb") as f:
        left = UPLOAD_MB * 1024 * 1024
        while left > 0:
            f.write(chunk[:left])
            left -= len(chunk)
    port = _free_port()
    # The sandbox in its own process, as a real provider would be: its CPU is not the window's.
    server = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; "
         "from supportdesk.sandbox import SandboxConfig, SandboxServer; "
         "s = SandboxServer(SandboxConfig(files_dir=Path(sys.argv[1]), processing_delay=3600, "
         "close_delay=3600, support_progress_delay=3600), port=int(sys.argv[2])).start(); "
         "print('ready', flush=True); time.sleep(3600)", str(scratch / "files"), str(port)],
        cwd=ROOT, env=probe_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        base = f"http://127.0.0.1:{port}"
        seed = httpx.get(base + "/_sandbox/seed").json()
        feedback = seed["support"]["tickets"][0]["feedbackId"]
        urls = httpx.get(base + "/").json()
        url = f"{urls['support']['base_url'].rstrip('/')}/user/help/file/upload/{feedback}/LOG"
        curl = []
        for _ in range(2):
            t = time.perf_counter()
            subprocess.run(["curl", "-sS", "-o", "/dev/null", "-F", f"file=@{upload}", url], check=True)
            curl.append(time.perf_counter() - t)
            clean_uploads(scratch / "files")
        data = data_dir(min(SCALE, 20_000))
        out = probe("network", "--data-dir", str(data), "--sandbox", base, "--file", str(upload),
                    "--feedback-id", feedback, "--files-dir", str(scratch / "files"))
        out.pop("_t0", None)
        clean_uploads(scratch / "files")
        t = time.perf_counter()
        subprocess.run(["curl", "-sS", "-o", "/dev/null", "-F", f"file=@{upload}", url], check=True)
        curl.append(time.perf_counter() - t)
        clean_uploads(scratch / "files")
        # (The what-if run is gone: bounded concurrency, gc.freeze() after the first paint, mimetypes
        # at start-up and 1 MiB reads are all in the app now; probe_window's flags remain.)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(scratch, ignore_errors=True)
    size = UPLOAD_MB * 1024 * 1024
    curl_bps = size / statistics.median(curl)
    ours_bps = size / statistics.median(out.get("upload_runs_s") or [out["upload_s"]])
    results["loop_stall_max_ms"] = max(out["both_stall_ms"], out["upload_stall_ms"], out["calls_stall_ms"])
    results["upload_rss_growth_mb"] = out["upload_rss_growth_mb"]
    results["upload_throughput_ratio"] = ours_bps / curl_bps
    extra["network"] = {**out, "curl_s": curl, "curl_mb_s": curl_bps / 2**20, "ours_mb_s": ours_bps / 2**20}
    log(f"network: upload {ours_bps / 2**20:.0f} MB/s vs curl {curl_bps / 2**20:.0f} MB/s, stalls "
        f"upload {out['upload_stall_ms']:.1f} / calls {out['calls_stall_ms']:.1f} / both {out['both_stall_ms']:.1f} ms"
        f" (gc pause {out['gc_pause_max_ms']:.1f} ms)")


# --- report ----------------------------------------------------------------------------------

def _met(key: str, value: float) -> bool:
    op, target, _ = TARGETS[key]
    return value <= target if op == "<=" else value >= target


def report(results: dict[str, float]) -> str:
    lines = [f"Supportdesk benchmarks (BENCH_SCALE={SCALE:,}, {os.cpu_count()} cores)", "",
             f"{'metric':<26}{'figure':>12}  {'target':<10}{'':6}what",
             "-" * 100]
    for key, (op, target, what) in TARGETS.items():
        if key not in results:
            lines.append(f"{key:<26}{'—':>12}  {op} {target:<7}{'skip':6}{what}")
            continue
        v = results[key]
        fig = f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.2f}"
        lines.append(f"{key:<26}{fig:>12}  {op} {target:<7}{'ok' if _met(key, v) else 'MISS':6}{what}")
    return "\n".join(lines)


def main() -> int:
    results: dict[str, float] = {}
    extra: dict[str, Any] = {}
    groups: list[tuple[str, Callable[[dict[str, float], dict[str, Any]], None]]] = [
        ("outbox", bench_outbox), ("export", bench_export), ("search", bench_search),
        ("window", bench_window), ("network", bench_network), ("list", bench_list),
    ]
    for name, fn in groups:
        if not wanted(name):
            continue
        log(f"--- {name}")
        t = time.perf_counter()
        try:
            fn(results, extra)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            log(f"{name} failed: {type(exc).__name__}: {exc}")
            extra[f"{name}_error"] = f"{type(exc).__name__}: {exc}"
        log(f"{name} took {time.perf_counter() - t:.0f} s")
    out = HERE / "results.json"
    previous: dict[str, float] = {}
    if ONLY and out.exists():  # a partial run updates its own figures only
        try:
            previous = json.loads(out.read_text())
        except ValueError:
            previous = {}
    merged = {**previous, **{k: round(v, 3) for k, v in results.items()}}
    out.write_text(json.dumps({k: merged[k] for k in TARGETS if k in merged}, indent=2) + "\n")
    (WORK / "details.json").write_text(json.dumps({"scale": SCALE, "results": results, **extra}, indent=2))
    print(report(merged))
    print(f"\nresults: {out}   details: {WORK / 'details.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
