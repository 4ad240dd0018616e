"""Make the OpenAPI schema say what the request bodies really accept.

Our request structs refuse unknown fields (`forbid_unknown_fields=True`: a typo in a field
name is a 400, not silently ignored), but Litestar's struct schema leaves
`additionalProperties` open, so a client or fuzzer reading the schema expects extra fields
to be accepted.

Litestar (2.25) also drops the msgspec constraints it does not carry through its own field
model: those on list items and dict values (`list[Annotated[int, Meta(ge=1)]]`), the bounds of
an optional field (`Hours | None` loses `exclusiveMinimum`), and a bound that is zero
(`Meta(ge=0)` on `X | UnsetType`). See litestar#3999 and litestar#4514 (still open in 2.x).
msgspec, which validates the bodies, writes the exact JSON Schema of a struct, so each
property of a strict struct takes msgspec's schema of it.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

# Litestar exports no public struct schema plugin to extend; this private one is what it uses
# for every msgspec Struct (2.x), and our plugin, listed first, takes over only the strict ones.
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.typing import FieldDefinition

# JSON Schema keywords whose Litestar field name is not their snake_case.
_FIELD_NAMES = {"not": "schema_not", "if": "schema_if", "else": "schema_else"}
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_VALUES = ("items", "additionalProperties", "propertyNames")


def _field_name(keyword: str) -> str:
    return _FIELD_NAMES.get(keyword) or re.sub(r"(?<!^)([A-Z])", r"_\1", keyword).lower()


def schema_from_json(node: dict[str, Any]) -> Schema:
    """Litestar's spec object for a JSON Schema without references (an unknown keyword is
    a TypeError when the app is built, not a silently dropped rule)."""
    fields: dict[str, Any] = {}
    for keyword, value in node.items():
        if keyword in _SCHEMA_LISTS:
            value = [schema_from_json(item) for item in value]
        elif keyword in _SCHEMA_VALUES and isinstance(value, dict):
            value = schema_from_json(value)
        elif keyword == "properties":
            value = {name: schema_from_json(item) for name, item in value.items()}
        elif keyword == "type":
            value = (
                [OpenAPIType(name) for name in value]
                if isinstance(value, list)
                else OpenAPIType(value)
            )
        fields[_field_name(keyword)] = value
    return Schema(**fields)


def msgspec_properties(struct_type: Any) -> dict[str, dict[str, Any]]:
    """msgspec's JSON Schema of each field of a struct, by its name on the wire."""
    (reference,), components = msgspec.json.schema_components([struct_type])
    own = components[reference["$ref"].rpartition("/")[2]]
    properties: dict[str, dict[str, Any]] = own["properties"]
    return properties


def _forbids_unknown_fields(annotation: Any) -> bool:
    info = msgspec.inspect.type_info(annotation)
    return isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields


class StrictStructSchemaPlugin(StructSchemaPlugin):
    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return super().is_plugin_supported_field(field_definition) and _forbids_unknown_fields(
            field_definition.type_
        )

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        reference = super().to_openapi_schema(field_definition, schema_creator)
        # The struct's schema is a component: the registry holds it, the answer is a $ref.
        registered = schema_creator.schema_registry.get_schema_for_field_definition(
            field_definition
        )
        registered.additional_properties = False
        properties = registered.properties or {}
        for name, exact in msgspec_properties(field_definition.type_).items():
            # A property naming another component (an enum) keeps Litestar's reference, which
            # points at the component under Litestar's name; such fields carry no bounds.
            if name in properties and "$ref" not in msgspec.json.encode(exact).decode():
                properties[name] = schema_from_json(exact)
        return reference
