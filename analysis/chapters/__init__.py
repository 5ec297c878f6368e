"""One chapter function per notebook: (parameters, data) -> everything its page shows."""

# A glue record NAME__unit carries the unit of NAME (read back by pipeline.results).
UNIT_SUFFIX = "__unit"
