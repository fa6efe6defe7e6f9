"""Reports: view data -> Jinja HTML -> WeasyPrint PDF.

Modules by role: `view_data.py` holds the view data, the frozen values a report template
reads; `sections.py` the pure functions that build each section of it from domain
values; `agency.py` and `cohort.py` gather one report's view data from stored data;
`render.py` turns it into HTML and PDF through WeasyPrint with the safe URL fetcher of
`fetcher.py`, and `batch.py` renders many in parallel. Charts, level and figure names
and roadmap rows come from `assessment.presentation`, which the web pages use too.
"""
