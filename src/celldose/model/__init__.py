"""Typed, immutable protocol models and their value types. No rule logic lives here."""

from celldose.model.protocol import Administration, Protocol, ProtocolFields
from celldose.model.types import NA, CellCount, Days, Laterality, NotApplicable, Total

__all__ = [
    "NA",
    "Administration",
    "CellCount",
    "Days",
    "Laterality",
    "NotApplicable",
    "Protocol",
    "ProtocolFields",
    "Total",
]
