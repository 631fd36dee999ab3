"""New support (Zendesk) ticket, with images attached from disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QComboBox

from supportdesk.models.support import CreateRequest
from supportdesk.services.attachments import check_file
from supportdesk.services.errors import InvalidInput
from supportdesk.store import TicketQuery
from supportdesk.ui.forms.base import FormBase
from supportdesk.ui.forms.drops import DropTarget
from supportdesk.ui.forms.fields import FileList, line, text_box
from supportdesk.ui.forms.validation import blank_to_none, model_errors

_FIELDS = ("uuid", "udid", "subject", "message", "email", "category", "name", "phone")


class SupportForm(DropTarget, FormBase):
    form_name = "support"
    title = "New support ticket"
    intro = ("Open a Zendesk ticket for a customer. Replies go to the e-mail given here, which may "
             "differ from the account's.")
    submit_text = "Create ticket"
    provider = "The support service"
    noun = "ticket"

    def build(self) -> None:
        self.add_field("uuid", "User UUID", line("79af4bc5-a995-4262-92ee-0da381ccaf07", mono=True))
        self.add_field("udid", "Device UDID", line("7237F578-828D-43D9-995D-F8B7AC8A4881", mono=True))
        self.add_field("subject", "Subject", line("Cashback not credited"))
        self.add_field("message", "Message", text_box("What the customer reports, in their words.", rows=5))
        self.add_field("email", "Reply e-mail", line("customer@example.com"),
                       help_text="Where the customer wants replies.")
        self.add_field("category", "Category", self._categories())
        self.add_field("name", "Name", line("optional"))
        self.add_field("phone", "Phone", line("+447700900123 (optional)"),
                       help_text="International format: + and country code.")
        self.images = FileList(caption="Images", name_filter="Images (*.jpg *.jpeg *.png *.heic *.gif *.webp)")
        self.add_field("images", "Images", self.images,
                       help_text="Photos or screenshots; drop them on the form or add them from disk.")

    def _categories(self) -> QComboBox:
        """Categories already used in the cache, offered back; any other can be typed."""
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.lineEdit().setPlaceholderText("e.g. cashback")
        seen: list[str] = []
        try:
            for t in self.services.tickets.list(TicketQuery(provider="support"), limit=200):
                c = t.data.get("category")
                if c and c not in seen:
                    seen.append(c)
        except Exception:  # suggestions only; never block the form
            pass
        combo.addItems(sorted(seen))
        combo.setCurrentIndex(-1)
        combo.setEditText("")
        return combo

    def dropped(self, paths: list[str]) -> None:
        self.images.add_paths(paths)

    def check(self, data: dict[str, Any]) -> dict[str, str]:
        req = {k: data[k] for k in _FIELDS}
        req["name"], req["phone"] = blank_to_none(req["name"]), blank_to_none(req["phone"])
        errors = model_errors(CreateRequest, req, lambda loc: loc[0] if loc and loc[0] in _FIELDS else None)
        for p in map(Path, data["images"]):
            try:
                check_file(p, "photo", field="images")
            except InvalidInput as exc:
                errors.setdefault("images", exc.fields["images"].replace(str(p.expanduser()), p.name))
                break
        return errors

    def map_service_fields(self, fields: dict[str, str]) -> dict[str, str]:
        return {("images" if k.startswith("image") else k): v for k, v in fields.items()}

    async def send(self, data: dict[str, Any]) -> Any:
        return await self.services.tickets.create_support(
            uuid_=data["uuid"].strip(), udid=data["udid"].strip(), subject=data["subject"],
            message=data["message"], email=data["email"].strip(), category=data["category"].strip(),
            name=blank_to_none(data["name"]), phone=blank_to_none(data["phone"]),
            images=[Path(p) for p in data["images"]])
