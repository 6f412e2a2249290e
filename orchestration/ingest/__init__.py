"""Ingest of the monthly deliveries: discover, read, validate (pandera + delivery checks),
then write valid deliveries partition by partition. See docs/validation.md."""

from orchestration.ingest.discovery import DeliveryRef, discover
from orchestration.ingest.findings import Finding
from orchestration.ingest.load import (
    DeliveryOutcome,
    IngestResult,
    ensure_tables,
    ingest,
    pending_months,
)
from orchestration.ingest.validate import validate_delivery

__all__ = [
    "DeliveryOutcome",
    "DeliveryRef",
    "Finding",
    "IngestResult",
    "discover",
    "ensure_tables",
    "ingest",
    "pending_months",
    "validate_delivery",
]
