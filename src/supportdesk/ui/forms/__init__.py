"""The forms every write goes through: validated as typed, drafted as typed, submitted via services.

    form = create_form("cardlytics", services, parent=window)
    form.submitted.connect(window.select_record)  # local record id once stored
    form.show(); form.first_field().setFocus()
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

KINDS = ("cardlytics", "support", "invitation", "feedback", "upload", "resubmit", "settings")


def create_form(kind: str, services: Any, parent: QWidget | None = None, *,
                ticket_id: str | None = None) -> QWidget:
    """A non-modal top-level form with `submitted = Signal(str)` and `first_field()`.

    `upload` and `resubmit` need `ticket_id`; the others ignore it."""
    # Imported here so opening the window does not pay for every form up front.
    if kind == "cardlytics":
        from supportdesk.ui.forms.cardlytics import CardlyticsForm
        return CardlyticsForm(services, parent)
    if kind == "resubmit":
        from supportdesk.ui.forms.cardlytics import ResubmitForm
        return ResubmitForm(services, parent, ticket_id=_need(kind, ticket_id))
    if kind == "support":
        from supportdesk.ui.forms.support import SupportForm
        return SupportForm(services, parent)
    if kind == "invitation":
        from supportdesk.ui.forms.invitation import InvitationForm
        return InvitationForm(services, parent)
    if kind == "feedback":
        from supportdesk.ui.forms.feedback import FeedbackForm
        return FeedbackForm(services, parent)
    if kind == "upload":
        from supportdesk.ui.forms.upload import UploadForm
        return UploadForm(services, parent, ticket_id=_need(kind, ticket_id))
    if kind == "settings":
        from supportdesk.ui.settings import SettingsForm
        return SettingsForm(services, parent)
    raise ValueError(f"unknown form {kind!r}; one of {', '.join(KINDS)}")


def _need(kind: str, ticket_id: str | None) -> str:
    if not ticket_id:
        raise ValueError(f"the {kind} form needs ticket_id")
    return ticket_id


__all__ = ["KINDS", "create_form"]
