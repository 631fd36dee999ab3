"""Attachment viewers: photos (JPEG, PNG, HEIC), the log viewer, and the detail pane's file rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from supportdesk.ui.attachments.logview import LogView
from supportdesk.ui.attachments.panel import AttachmentsPanel
from supportdesk.ui.attachments.photo import PhotoView
from supportdesk.ui.attachments.viewer import AttachmentWindow
from supportdesk.ui.tasks import TaskRunner, alive

pytestmark = pytest.mark.timeout(60)

SAMPLE_USER = "79af4bc5-a995-4262-92ee-0da381ccaf07"
SAMPLE_UDID = "7237F578-828D-43D9-995D-F8B7AC8A4881"


def photo(path: Path, fmt: str, size=(1200, 800), mode="RGB") -> Path:
    img = Image.new(mode, size, (200, 60, 40) if mode == "RGB" else (200, 60, 40, 128))
    for x in range(0, size[0], 50):
        for y in range(size[1] // 2):
            img.putpixel((x, y), (0, 0, 0) if mode == "RGB" else (0, 0, 0, 255))
    img.save(path, fmt)
    return path


LOG = """2026-03-02 09:00:00.001 INFO  [Boot] App started
2026-03-02 09:00:01.120 DEBUG [Cache] Cache hit key=offers:3
2026-03-02 09:00:02.500 WARN  [HttpClient] Slow response from /v3/rewards (2300 ms)
2026-03-02 09:00:03.000 ERROR [Sync] java.net.SocketTimeoutException: timeout after 9000 ms
    at okhttp3.internal.Http.read(Http.java:42)
2026-03-02 09:00:04.000 INFO  [Sync] Retry scheduled
"""


@pytest.mark.parametrize("fmt,mode", [("JPEG", "RGB"), ("PNG", "RGBA")])
def test_photo_preview_decodes_and_scales(fmt, mode, tmp_path, run, qtbot, app_theme):
    path = photo(tmp_path / f"receipt.{fmt.lower()}", fmt, mode=mode)
    view = PhotoView(app_theme)
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    assert run(view.load(path))
    assert view.image().width() == 1200 and view.image().height() == 800
    assert view.info.text().startswith(f"{fmt} · 1200 × 800 px")
    assert view.canvas.effective_zoom() < 1  # fitted into a 500 px window
    view.set_zoom(1.0)
    assert view.zoom_label.text() == "100%"
    view.step_zoom(1)
    assert view.canvas.effective_zoom() > 1
    view.fit()
    assert view.canvas.effective_zoom() < 1


def test_heic_photo(tmp_path, run, qtbot, app_theme):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    path = tmp_path / "IMG_0001.heic"
    try:
        photo(path, "HEIF", size=(640, 480))
    except (OSError, KeyError, ValueError) as exc:  # a build without an HEVC encoder
        pytest.skip(f"cannot write HEIC here: {exc}")
    view = PhotoView(app_theme)
    qtbot.addWidget(view)
    assert run(view.load(path))
    assert (view.image().width(), view.image().height()) == (640, 480)


def test_broken_photo_says_why(tmp_path, run, qtbot, app_theme):
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff not really a jpeg")
    view = PhotoView(app_theme)
    qtbot.addWidget(view)
    assert not run(view.load(path))
    assert "cannot be shown as a photo" in view.info.text()


def shown_log(tmp_path, run, qtbot, theme) -> LogView:
    """A log viewer on screen with LOG loaded."""
    path = tmp_path / "app.log"
    path.write_text(LOG)
    view = LogView(theme)
    qtbot.addWidget(view)
    view.show()
    assert run(view.load(path))
    return view


def test_log_levels_filter_and_find(tmp_path, run, qtbot, app_theme):
    view = shown_log(tmp_path, run, qtbot, app_theme)
    doc = view.text.document()
    states = [doc.findBlockByNumber(i).userState() for i in range(6)]
    assert states == [1, 0, 2, 3, 3, 1]  # INFO DEBUG WARN ERROR (stack line inherits) INFO
    assert "6 lines" in view.status.text()
    view.level.setCurrentIndex(view.level.findData(3))  # errors only
    qtbot.waitUntil(lambda: not doc.findBlockByNumber(0).isVisible())
    visible = [doc.findBlockByNumber(i).isVisible() for i in range(6)]
    assert visible == [False, False, False, True, True, False]
    view.level.setCurrentIndex(0)
    qtbot.waitUntil(lambda: doc.findBlockByNumber(0).isVisible())
    qtbot.keyClicks(view.find, "timeout")
    qtbot.waitUntil(lambda: view.matches.text() == "2 matches")
    assert view.find_next()
    assert view.text.textCursor().block().blockNumber() == 3


def test_log_colours_follow_the_theme(tmp_path, run, qtbot, app_theme):
    view = shown_log(tmp_path, run, qtbot, app_theme)
    error_line = view.text.document().findBlockByNumber(3)  # "... ERROR [Sync] ..."
    colour = lambda: {r.format.foreground().color().name() for r in error_line.layout().formats()}  # noqa: E731
    assert app_theme.hex("log_error") in colour()
    try:
        app_theme.set_mode("dark")
        assert app_theme.hex("log_error") in colour()  # highlighted again in the dark scheme's colours
        view.close()
        view.deleteLater()
        qtbot.waitUntil(lambda: not alive(view))
        app_theme.set_mode("light")  # a switch after the viewer is gone reaches nothing of it
    finally:
        app_theme.set_mode("light")

def test_large_log_loads_in_chunks_without_freezing(tmp_path, run, qtbot, app_theme):
    path = tmp_path / "big.log"
    line = "2026-03-02 09:00:00.001 INFO  [Sync] Sync finished: 12 transactions, 3 rewards\n"
    with open(path, "w") as f:
        for i in range(80_000):  # ~6 MB
            f.write(line if i % 50 else line.replace("INFO ", "ERROR"))
    view = LogView(app_theme)
    qtbot.addWidget(view)
    view.show()
    chunks, ticks = [], []
    view.progress.connect(lambda done, total: chunks.append(done))
    timer = QTimer(interval=5)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    assert run(view.load(path), timeout=40)
    timer.stop()
    assert len(chunks) > 10  # appended piecewise
    assert len(ticks) > 5  # and the event loop kept running meanwhile
    assert view.text.document().blockCount() == 80_000


def test_cancel_a_log_load(tmp_path, loop, qtbot, app_theme):
    path = tmp_path / "big.log"
    path.write_text("2026-03-02 09:00:00.001 DEBUG tick\n" * 200_000)
    view = LogView(app_theme)
    qtbot.addWidget(view)
    task = loop.create_task(view.load(path))
    view.progress.connect(lambda *_: view.cancel())
    qtbot.waitUntil(task.done, timeout=20000)
    assert task.result() is False
    assert "cancelled" in view.status.text()
    assert view.text.document().blockCount() < 200_000


def test_cached_attachment_opens_offline(offline_services, tmp_path, run, qtbot, app_theme):
    svc = offline_services
    t = run(svc.tickets.create_support(uuid_=SAMPLE_USER, udid=SAMPLE_UDID, subject="Slip", message="Photo",
                                       email="john@example.com", category="card"))
    run(svc.attachments.upload(t.id, photo(tmp_path / "slip.jpg", "JPEG"), "photo", send_now=False))
    panel = AttachmentsPanel(svc, TaskRunner(), app_theme)
    qtbot.addWidget(panel)
    panel.set_ticket(svc.store.tickets.get(t.id))
    row = panel.row("photo")
    assert "queued for upload" in row.meta.text() and "opens offline" in row.meta.text()
    qtbot.waitUntil(lambda: row.thumb.width() > 28)  # the thumbnail was decoded
    row.view()
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, AttachmentWindow) and w.isVisible()]
    assert windows
    qtbot.waitUntil(lambda: windows[-1].view.image() is not None)
    windows[-1].close()


def test_missing_file_downloads_with_progress(sandbox_services, run, qtbot, app_theme):
    svc = sandbox_services
    tickets = run(svc.tickets.find_support(uuid=SAMPLE_USER))
    t = next(t for t in tickets if any(a.kind.value == "log" for a in t.attachments))
    panel = AttachmentsPanel(svc, TaskRunner(), app_theme)
    qtbot.addWidget(panel)
    panel.set_ticket(t)
    row = panel.row("log")
    assert "not downloaded" in row.meta.text()
    row.download()
    qtbot.waitUntil(lambda: "opens offline" in row.meta.text(), timeout=15000)
    assert Path(row.att.cached_path).read_text().startswith("# Northwind")


def test_download_offline_shows_the_reason(offline_services, run, qtbot, app_theme):
    svc = offline_services
    from supportdesk.models.ticket import Attachment, AttachmentKind

    from gui_helpers import make_ticket

    t = make_ticket(1, provider="support")
    svc.store.tickets.insert(t)
    svc.store.tickets.upsert_attachment(Attachment(ticket_id=t.id, kind=AttachmentKind.LOG, name="app.log",
                                                   remote_url="http://127.0.0.1:9/x.log"))
    panel = AttachmentsPanel(svc, TaskRunner(), app_theme)
    qtbot.addWidget(panel)
    panel.set_ticket(svc.store.tickets.get(t.id))
    row = panel.row("log")
    row.download()
    qtbot.waitUntil(lambda: row.error.text() != "", timeout=15000)
    assert row.error.text().startswith("Could not download")
