"""Offer feedback: why an offer failed the customer, and where they were when it did."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import QComboBox

from supportdesk.models.offers_feedback import FeedbackRequest
from supportdesk.services.writes import FEEDBACK_TYPES
from supportdesk.ui.forms.base import FormBase
from supportdesk.ui.forms.chrome import Outcome
from supportdesk.ui.forms.fields import line, text_box
from supportdesk.ui.forms.validation import model_errors

_LOCS = {"user_id": "user_id", "offer_code": "offer_code", "your_bank_code": "bank_code",
         "bank_code": "bank_code", "outlet_code": "outlet_code", "feedback_type": "feedback_type",
         "user_latitude": "lat", "lat": "lat", "user_longitude": "lon", "lon": "lon",
         "comment": "comment"}
_TYPE = re.compile(r"^\s*(\S+)\s+[—-]\s+")


def type_code(text: str) -> str:
    """"1 — Merchant Declined" → "1"; anything else typed is sent as typed."""
    m = _TYPE.match(text)
    return m.group(1) if m else text.strip()


class FeedbackForm(FormBase):
    form_name = "feedback"
    title = "Send offer feedback"
    intro = "Report why an offer did not work for the customer."
    submit_text = "Send feedback"
    provider = "The offers service"
    noun = "feedback"

    def build(self) -> None:
        self.add_field("user_id", "User id", line("customer e-mail or device id"))
        self.add_field("offer_code", "Offer code", line("CST10", mono=True))
        self.add_field("bank_code", "Bank code", line("NWB", mono=True))
        self.add_field("outlet_code", "Outlet code", line("CST-LDN-001", mono=True))
        self.types = QComboBox()
        self.types.setEditable(True)
        self.types.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.types.addItems([f"{code} — {meaning}" for code, meaning in FEEDBACK_TYPES.items()])
        self.types.lineEdit().setPlaceholderText("choose, or type another code")
        self.add_field("feedback_type", "Feedback type", self.types,
                       help_text="The documented meanings; another code can be typed.")
        self.add_field("lat", "Latitude", line("51.5072 (−90 to 90)", mono=True),
                       help_text="The customer's position at the outlet, not yours.")
        self.add_field("lon", "Longitude", line("-0.1276 (−180 to 180)", mono=True))
        self.add_field("comment", "Comment", text_box("optional", rows=3))

    def request_data(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"user_id": data["user_id"], "offer_code": data["offer_code"],
                "your_bank_code": data["bank_code"], "outlet_code": data["outlet_code"],
                "feedback_type": type_code(data["feedback_type"]),
                "user_latitude": data["lat"].strip().replace("−", "-"),
                "user_longitude": data["lon"].strip().replace("−", "-"), "comment": data["comment"]}

    def check(self, data: dict[str, Any]) -> dict[str, str]:
        return model_errors(FeedbackRequest, self.request_data(data),
                            lambda loc: _LOCS.get(loc[0]) if loc else None)

    def map_service_fields(self, fields: dict[str, str]) -> dict[str, str]:
        return {_LOCS.get(k, k): v for k, v in fields.items()}

    async def send(self, data: dict[str, Any]) -> Any:
        r = self.request_data(data)
        return await self.services.feedback.send(
            user_id=r["user_id"], offer_code=r["offer_code"], bank_code=r["your_bank_code"],
            outlet_code=r["outlet_code"], feedback_type=r["feedback_type"],
            lat=r["user_latitude"], lon=r["user_longitude"], comment=r["comment"] or None)

    def outcome(self, record: Any) -> Outcome:
        out = super().outcome(record)
        if out.kind == "success" and record.provider_reference:
            out.body = f"The offers service answered: “{record.provider_reference}”."
        return out
