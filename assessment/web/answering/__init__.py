"""The agency lead's questionnaire pages: overview, dimensions, background save, submit, results.

`views.py` holds the routes, `forms.py` the form built from the instrument and what its
submission changes, `payload.py` the background save's body, `view_data.py` what the
templates read, `workspace.py` whose assessment a request works on.
"""
