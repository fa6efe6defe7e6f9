"""File and JSON formats: answers files, instrument dicts, result and roadmap dicts."""
