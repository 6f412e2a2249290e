"""Ingest of the monthly deliveries: discover, read, validate (pandera + delivery checks),
then write valid deliveries partition by partition. See docs/validation.md."""

from zielmonitor.ingest.discovery import DeliveryRef, discover
from zielmonitor.ingest.findings import Finding
from zielmonitor.ingest.load import (
    DeliveryOutcome,
    IngestResult,
    ensure_tables,
    ingest,
    loaded_manifests,
    pending_months,
)
from zielmonitor.ingest.validate import validate_delivery

__all__ = [
    "DeliveryOutcome",
    "DeliveryRef",
    "Finding",
    "IngestResult",
    "discover",
    "ensure_tables",
    "ingest",
    "loaded_manifests",
    "pending_months",
    "validate_delivery",
]
