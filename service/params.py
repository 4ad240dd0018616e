"""Parameter types shared by the features' handlers."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

from service.text import HUMAN_TEXT_PATTERN

# Bounded in the signature, so the schema says so and a larger id is a 400 from validation,
# not a driver overflow. 2**53 - 1 (JavaScript's largest safe integer): far beyond any row id,
# within 64 bits, and exact as the float Litestar writes the bound as in the schema.
RowId = Annotated[int, Parameter(ge=1, le=2**53 - 1)]

# A text path segment, with the rule the request checks apply to every path (no control,
# bidirectional or invisible character) said in the schema too.
PathText = Annotated[str, Parameter(pattern=HUMAN_TEXT_PATTERN)]
