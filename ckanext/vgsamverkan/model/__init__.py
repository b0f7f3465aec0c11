"""Tables of the extension. Every table is named ``vgsamverkan_*``; no foreign keys into
CKAN's core tables (they would break CKAN's test database resets)."""
from __future__ import annotations

from .calloff import Calloff, CalloffTime
from .comment import Comment
from .connection import Connection, ConnectionQuote, DatasetExemption
from .event import Event
from .fee import FeeAdjustment, FeeFile, FeeLine, FeeMonth, FeeSchedule, FeeStatement
from .invoice import Invoice, InvoiceSeries, LegalName
from .outbox import Outbox
from .participation import Participation
from .population import Population
from .publisher import PublisherRequest
from .registration import Registration
from .search import (
    SearchBits,
    SearchCache,
    SearchCompound,
    SearchDoc,
    SearchFacet,
    SearchGroup,
    SearchState,
    SearchText,
    SearchValue,
)
from .tally import Tally

__all__ = ["Calloff", "CalloffTime", "Comment", "Connection", "ConnectionQuote", "DatasetExemption", "Event",
           "FeeAdjustment", "FeeFile", "FeeLine", "FeeMonth", "FeeSchedule", "FeeStatement", "Invoice",
           "InvoiceSeries", "LegalName", "Outbox",
           "Participation", "Population", "PublisherRequest", "Registration", "SearchCache", "SearchDoc", "SearchFacet",
           "SearchBits", "SearchCompound", "SearchGroup", "SearchState", "SearchText", "SearchValue", "Tally"]
