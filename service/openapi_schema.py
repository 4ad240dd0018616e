"""Make the OpenAPI schema say what the request bodies really accept.

Our request structs refuse unknown fields (`forbid_unknown_fields=True`: a typo in a field
name is a 400, not silently ignored), but Litestar's struct schema leaves
`additionalProperties` open, so a client or fuzzer reading the schema expects extra fields
to be accepted.
"""

from __future__ import annotations

from typing import Any

import msgspec

# Litestar exports no public struct schema plugin to extend; this private one is what it uses
# for every msgspec Struct (2.x), and our plugin, listed first, takes over only the strict ones.
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import Schema
from litestar.typing import FieldDefinition


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
        return reference
