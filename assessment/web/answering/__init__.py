"""The agency lead's questionnaire pages: overview, dimensions, background save, submit, results."""
