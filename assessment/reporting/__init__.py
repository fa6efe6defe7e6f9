"""Report rendering: view-models, Jinja HTML, WeasyPrint PDF and SVG charts."""
