"""Every table, imported once so Alembic and the tests see the whole schema."""

from salestrack.audit.models import AuditEntry
from salestrack.auth.models import IntegrationKey, LoginThrottle, Tenant, User, UserPreference
from salestrack.billing.models import (
    BillingDocument,
    BillingSettings,
    ConstructionStage,
    DocumentMail,
    Instalment,
    PaymentPlan,
)
from salestrack.calendar.models import CalendarFeed
from salestrack.core.db import Base
from salestrack.core.jobs import WorkerTenant
from salestrack.core.numbering import Counter
from salestrack.documents.models import DocumentSettings, Quotation, QuotationLine, TaxRate
from salestrack.http.idempotency import IdempotencyKey
from salestrack.intake.models import AssignmentRule, AttributionRule, LeadTouch
from salestrack.journey.models import LeadEngagement, LeadMilestone, LeadStatusHistory
from salestrack.leads.import_models import LeadImport, LeadImportRow
from salestrack.leads.models import Campaign, Customer, Lead, LeadSource
from salestrack.money.models import Booking, Inventory, LedgerEntry
from salestrack.notifications.models import Notification
from salestrack.reminders.models import Reminder
from salestrack.reports.models import (
    ReportBookingState,
    ReportCounter,
    ReportCustomerState,
    ReportLeadState,
)
from salestrack.webhooks.models import OutboxEvent, WebhookDelivery, WebhookEndpoint

metadata = Base.metadata

__all__ = [
    "AssignmentRule",
    "AttributionRule",
    "AuditEntry",
    "BillingDocument",
    "BillingSettings",
    "Booking",
    "CalendarFeed",
    "Campaign",
    "ConstructionStage",
    "Counter",
    "Customer",
    "DocumentMail",
    "DocumentSettings",
    "IdempotencyKey",
    "Instalment",
    "IntegrationKey",
    "Inventory",
    "Lead",
    "LeadEngagement",
    "LeadImport",
    "LeadImportRow",
    "LeadMilestone",
    "LeadSource",
    "LeadStatusHistory",
    "LeadTouch",
    "LedgerEntry",
    "LoginThrottle",
    "Notification",
    "OutboxEvent",
    "PaymentPlan",
    "Quotation",
    "QuotationLine",
    "Reminder",
    "ReportBookingState",
    "ReportCounter",
    "ReportCustomerState",
    "ReportLeadState",
    "TaxRate",
    "Tenant",
    "User",
    "UserPreference",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WorkerTenant",
    "metadata",
]
