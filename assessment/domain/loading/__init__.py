"""The instrument-loading pipeline: YAML reader, JSON Schema, checks, problems, catalog."""
