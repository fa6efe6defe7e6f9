"""What web pages and PDF reports show alike: SVG charts, labels and roadmap rows.

Both `web` and `reporting` import from here, so a level, a figure or a roadmap action
reads the same on a page and in a report. Pure functions and frozen values over domain
values: this package imports `assessment.domain` and nothing else of the product, and
no Flask, SQLAlchemy or WeasyPrint.
"""
