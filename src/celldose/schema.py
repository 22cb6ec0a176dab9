"""The JSON Schema of the protocol format, exported from the model."""

from typing import Any

from celldose.model import Protocol
from celldose.project import SCHEMA_URL

SCHEMA_ID = SCHEMA_URL


def protocol_schema() -> dict[str, Any]:
    schema = Protocol.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
