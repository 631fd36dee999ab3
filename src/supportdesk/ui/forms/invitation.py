"""Radar feedback invitation: ids picked from those remembered for this profile, never retyped."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from supportdesk.models.radar import InvitationRequest, hint_for
from supportdesk.models.ticket import SyncState
from supportdesk.ui.forms.base import FormBase, alive
from supportdesk.ui.forms.chrome import Outcome
from supportdesk.ui.forms.fields import Rows, id_combo, line
from supportdesk.ui.forms.validation import blank_to_none, model_errors

POM_REQUIRED = "pom_required"  # remembered kind: locations known to have two or more POMs
_RECIPIENT = {"email": "email", "mobile": "mobile", "first_name": "first_name",
              "last_name": "last_name", "location_display_id": "location",
              "pom_display_id": "pom", "metadata": "metadata"}
_TOP = {"client_display_id": "client", "programme_display_id": "programme", "client": "client",
        "programme": "programme"}
_POM_HELP = "Only needed when the location has two or more POMs."


def _where(loc: tuple) -> str | tuple[str, ...] | None:
    if not loc:
        return None
    if loc[0] in _TOP:
        return _TOP[loc[0]]
    if loc[0] == "send_data":
        if len(loc) <= 2:
            return ("email", "mobile")  # "give an email or a mobile": both fields can fix it
        return _RECIPIENT.get(loc[2])
    return None


class InvitationForm(FormBase):
    form_name = "invitation"
    title = "New feedback invitation"
    intro = ("Invite a customer to give feedback through Radar. Ids are offered from those used "
             "before in this profile; paste a new one only the first time.")
    submit_text = "Send invitation"
    provider = "Radar"
    noun = "invitation"

    def build(self) -> None:
        self.remembered = self.services.store.remembered
        self.client = id_combo("client id")
        self.programme = id_combo("programme id")
        self.location = id_combo("location id")
        self.pom = id_combo("point of measurement id")
        self.add_section("Where")
        self.add_field("client", "Client", self.client)
        self.add_field("programme", "Programme", self.programme)
        self.add_field("location", "Location", self.location)
        self.pom_field = self.add_field("pom", "POM", self.pom, help_text=_POM_HELP)
        self.add_section("Who")
        self.add_field("email", "E-mail", line("customer@example.com"),
                       help_text="E-mail and/or mobile: at least one.")
        self.add_field("mobile", "Mobile", line("0211234321"))
        self.add_field("first_name", "First name", line("optional"))
        self.add_field("last_name", "Last name", line("optional"))
        self.metadata = Rows(("Key", "Value"), add_text="+ Add metadata", minimum=0, maximum=20)
        self.add_field("metadata", "Metadata", self.metadata,
                       help_text="Keys must match the programme's settings exactly.")
        inv = self.services.invitations
        self._fill(self.client, self.remembered.values("client"))
        self.client.setEditText(inv.default_client or self.remembered.last("client") or "")
        self._refill(1)
        self.programme.setEditText(inv.default_programme or self.remembered.last("programme") or "")
        self._refill(2)
        # Each choice narrows the ones below it; the combo being typed in is never refilled.
        for level, combo in enumerate((self.client, self.programme, self.location), start=1):
            combo.editTextChanged.connect(lambda _t, n=level: self._refill(n))

    # --- remembered ids ---------------------------------------------------------------------
    @staticmethod
    def _fill(combo: QComboBox, items: list[dict[str, Any]], parent: str | None = None) -> None:
        """Ids under `parent` first, then the rest; the typed text is kept."""
        text = combo.currentText()
        ordered = sorted(items, key=lambda r: r.get("parent") != parent) if parent else items
        combo.blockSignals(True)
        combo.clear()
        for r in ordered:
            combo.addItem(r["value"])
            if r.get("label"):
                combo.setItemData(combo.count() - 1, r["label"], Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(-1)
        combo.setEditText(text)
        combo.blockSignals(False)

    def _refill(self, below: int) -> None:
        """Refill the combos below level `below` (1 client, 2 programme, 3 location)."""
        client, programme = self.client.currentText().strip(), self.programme.currentText().strip()
        location = self.location.currentText().strip()
        if below <= 1:
            self._fill(self.programme, self.remembered.values("programme"), client)
        if below <= 2:
            self._fill(self.location, self.remembered.values("location"), programme)
        self._fill(self.pom, self.remembered.values("pom", parent=location) if location else [])

    def pom_required(self, location: str) -> bool:
        if not location:
            return False
        if any(r["value"] == location for r in self.remembered.values(POM_REQUIRED)):
            return True
        return len(self.remembered.values("pom", parent=location)) >= 2

    # --- validation and sending -------------------------------------------------------------
    def request_data(self, data: dict[str, Any]) -> dict[str, Any]:
        meta = [{"key": k.strip(), "value": v} for k, v in data["metadata"] if k.strip() or v.strip()]
        recipient = {"email": data["email"], "mobile": data["mobile"], "first_name": data["first_name"],
                     "last_name": data["last_name"], "location_display_id": data["location"].strip(),
                     "pom_display_id": data["pom"].strip(), "metadata": meta or None}
        return {"client_display_id": data["client"].strip(),
                "programme_display_id": data["programme"].strip(), "send_data": [recipient]}

    def check(self, data: dict[str, Any]) -> dict[str, str]:
        errors = model_errors(InvitationRequest, self.request_data(data), _where)
        location = data["location"].strip()
        needed = self.pom_required(location)
        self.pom_field.set_help("Required: this location has two or more POMs." if needed else _POM_HELP)
        if needed and not data["pom"].strip():
            errors.setdefault("pom", "Required: this location has two or more POMs")
        return errors

    def map_service_fields(self, fields: dict[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, message in fields.items():
            parts = tuple(int(p) if p.isdigit() else p for p in key.split("."))
            target = _where(parts) or key
            for name in (target,) if isinstance(target, str) else target:
                out.setdefault(name, message)
        return out

    async def send(self, data: dict[str, Any]) -> Any:
        self._sent_location = data["location"].strip()
        meta = {k.strip(): v for k, v in data["metadata"] if k.strip()}
        return await self.services.invitations.send(
            client=data["client"].strip(), programme=data["programme"].strip(),
            location=data["location"].strip(), pom=blank_to_none(data["pom"].strip()),
            email=blank_to_none(data["email"].strip()), mobile=blank_to_none(data["mobile"].strip()),
            first_name=blank_to_none(data["first_name"]), last_name=blank_to_none(data["last_name"]),
            metadata=meta)

    def outcome(self, record: Any) -> Outcome:
        out = super().outcome(record)
        if record.sync_state is SyncState.FAILED:
            self._learn(record.last_error or "")
            out.hint = hint_for(out.body) or out.hint  # PROVIDERS.md's hints for the known errors
        elif out.kind == "success" and record.provider_reference:
            out.body = f"Radar accepted it: invitation id {record.provider_reference}."
        return out

    def _learn(self, error: str) -> None:
        """A rejection saying the POM is mandatory teaches that this location has several."""
        text = error.lower()
        location = getattr(self, "_sent_location", "")
        if location and "pomdisplayid" in text and ("mandatory" in text or "required" in text):
            self.remembered.remember(POM_REQUIRED, location)
            if alive(self):
                self._touched.add("pom")
                self.revalidate()
                self.pom.setFocus()
