"""New cardlytics ticket, and its resubmission after processingStatus Error or a close for lack of info."""

from __future__ import annotations

from typing import Any

from supportdesk.models.cardlytics import CreateTicketRequest
from supportdesk.models.ticket import SyncState, Ticket, TicketStatus
from supportdesk.ui.forms.base import FormBase
from supportdesk.ui.forms.chrome import Outcome
from supportdesk.ui.forms.fields import Rows, line, text_box
from supportdesk.ui.forms.validation import blank_to_none, model_errors

DESCRIPTION_PLACEHOLDER = ("Expected: what the customer should have received (e.g. 10% cashback on "
                           "the 3 June purchase)\nObserved: what happened instead (e.g. no reward "
                           "after 30 days)")

# Model field -> form field; the model checks them all, the form only shows where.
_LOCS = {"offer_id": "offer_id", "transaction_ids": "transaction_ids",
         "source_customer_id": "customer_id", "description": "description",
         "author_email_address": "author_email"}


def _rows(values: list[str]) -> list[str]:
    return [v.strip() for v in values if v.strip()]


class CardlyticsForm(FormBase):
    form_name = "cardlytics"
    title = "New Cardlytics ticket"
    intro = ("Dispute an offer on the customer's behalf. Cardlytics answers asynchronously; "
             "the ticket's status follows in the inbox.")
    submit_text = "File ticket"
    provider = "Cardlytics"
    noun = "ticket"

    def build(self) -> None:
        self.add_field("offer_id", "Offer id", line("e.g. 1000030804", mono=True))
        self.transactions = Rows(("Transaction id",), add_text="+ Add transaction", maximum=10)
        self.add_field("transaction_ids", "Transactions", self.transactions,
                       help_text="1 to 10 different transactions, all for this offer.")
        self.customer = self.add_field("customer_id", "Customer id", line("1756524 or a UUID", mono=True),
                                       help_text="The bank's customer id: a number or text.")
        self.add_field("description", "Description", text_box(DESCRIPTION_PLACEHOLDER, rows=6),
                       help_text="Say what was expected and what was observed.")
        self.add_field("author_email", "Your e-mail", line("agent@bank.example (optional)"))

    def request_data(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"source_ticket_id": "draft", "offer_id": blank_to_none(data["offer_id"].strip()),
                "transaction_ids": _rows(data["transaction_ids"]),
                "source_customer_id": data["customer_id"], "description": data["description"],
                "author_email_address": blank_to_none(data["author_email"])}

    def check(self, data: dict[str, Any]) -> dict[str, str]:
        def where(loc: tuple) -> str | None:
            name = _LOCS.get(loc[0]) if loc else None
            if name == "transaction_ids" and len(loc) > 1 and isinstance(loc[1], int):
                return name  # one message under the list, naming the row
            return name

        req = self.request_data(data)
        errors = model_errors(CreateTicketRequest, req, where)
        if "transaction_ids" in errors:
            errors["transaction_ids"] = self._row_message(req["transaction_ids"], errors["transaction_ids"])
        self._show_customer_kind(req, errors)
        return errors

    def _row_message(self, ids: list[str], message: str) -> str:
        if not ids:
            return "Give at least one transaction id"
        for i, v in enumerate(ids, 1):
            if not v.isdigit() or int(v) <= 0:
                return f"Row {i}: {message[0].lower()}{message[1:]}"
        return message

    def _show_customer_kind(self, req: dict[str, Any], errors: dict[str, str]) -> None:
        text = (req["source_customer_id"] or "").strip()
        if not text or "customer_id" in errors:
            self.customer.set_help("The bank's customer id: a number or text.")
            return
        wire = CreateTicketRequest.model_validate(
            {**req, "offer_id": 1, "transaction_ids": [1], "description": "x",
             "author_email_address": None}).to_wire()
        kind = "a number" if isinstance(wire["sourceCustomerId"], int) else "text"
        self.customer.set_help(f"Sent to Cardlytics as {kind}.")

    def map_service_fields(self, fields: dict[str, str]) -> dict[str, str]:
        return {_LOCS.get(k.split(".")[0], k): v for k, v in fields.items()}

    def values(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"offer_id": data["offer_id"].strip(), "transaction_ids": _rows(data["transaction_ids"]),
                "customer_id": data["customer_id"].strip(), "description": data["description"],
                "author_email": blank_to_none(data["author_email"].strip())}

    async def send(self, data: dict[str, Any]) -> Any:
        return await self.services.tickets.create_cardlytics(**self.values(data))

    def outcome(self, record: Any) -> Outcome:
        out = super().outcome(record)
        if out.kind == "success":  # 202: received, not yet processed
            out.body = "Cardlytics received the ticket; its processing status follows in the inbox."
        return out


class ResubmitForm(CardlyticsForm):
    """The same fields, filled from the ticket; a new submission (new sourceTicketId) on it."""

    form_name = "resubmit"
    title = "Correct and resubmit"
    submit_text = "Resubmit"
    allow_new = False

    def __init__(self, services: Any, parent: Any = None, *, ticket_id: str) -> None:
        self.ticket: Ticket = services.tickets.get(ticket_id)
        self.intro = self._why(self.ticket)
        super().__init__(services, parent, draft_key=self.ticket.id)
        self.setWindowTitle(f"Resubmit {self.ticket.id}")

    @staticmethod
    def _why(t: Ticket) -> str:
        if t.provider != "cardlytics":
            return "Only Cardlytics tickets are resubmitted; support tickets are updated in Zendesk."
        if t.sync_state is SyncState.FAILED:
            return (f"Cardlytics could not process {t.id}: “{t.last_error or 'processingStatus Error'}”. "
                    "Correct the data and resubmit; it goes as a new submission on the same ticket, "
                    "with its history kept.")
        if t.status is TicketStatus.RESOLVED:
            answer = t.data.get("cardlyticsResponse") or t.resolution or "no reason given"
            return (f"Cardlytics closed {t.id} ({answer}). If it was closed for lack of information, "
                    "recreate it with the correct information: a new submission on the same ticket.")
        return (f"{t.id} is {t.status.value.lower().replace('_', ' ')}: only a ticket that failed "
                "processing or was closed can be resubmitted.")

    def build(self) -> None:
        super().build()
        t = self.ticket
        self.restore({"offer_id": str(t.data.get("offerId") or ""),
                      "transaction_ids": [str(i) for i in t.data.get("transactionIds", [])],
                      "customer_id": t.customer_id, "description": t.description,
                      "author_email": t.email or ""})

    async def send(self, data: dict[str, Any]) -> Any:
        return await self.services.tickets.resubmit(self.ticket.id, **self.values(data))

    def outcome(self, record: Any) -> Outcome:
        out = super().outcome(record)
        if out.kind in ("success", "queued"):
            out.title = f"Resubmitted as {record.external_id}" + (" (queued)" if out.kind == "queued" else "")
        if out.kind == "success":
            out.body = "Cardlytics received the corrected ticket; its status follows in the inbox."
        return out
