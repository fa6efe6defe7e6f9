"""The baseline of the web measurement: a plain Flask hello-world, served the same way."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """The smallest possible page."""
    return "Hello, world!"
