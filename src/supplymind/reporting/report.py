"""A self-contained HTML report made of sections of text, tables and figures.

Each stage of a run (data, forecast, stock plan, routes, alerts...) adds a section; the
report is written atomically to ``report.html`` with its PNG figures next to it.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import Environment, select_autoescape

from supplymind.files import atomic_write_text

__all__ = ["Figure", "Report", "Section"]

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; margin: 0;
       color: #1f2933; background: #f5f7fa; }
header { background: #102a43; color: #fff; padding: 24px 40px; }
header p { margin: 4px 0 0; color: #bcccdc; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 40px 60px; }
section { background: #fff; border-radius: 8px; padding: 20px 28px; margin: 20px 0;
          box-shadow: 0 1px 3px rgba(16,42,67,.12); }
h2 { margin-top: 0; color: #243b53; }
.note { background: #fffbea; border-left: 4px solid #f0b429; padding: 8px 14px; }
figure { margin: 16px 0; }
figure img { max-width: 100%; border: 1px solid #d9e2ec; border-radius: 4px; }
figcaption { color: #627d98; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.9em; margin: 12px 0; }
th, td { border-bottom: 1px solid #d9e2ec; padding: 4px 10px; text-align: right; }
th { background: #f0f4f8; }
td:first-child, th:first-child { text-align: left; }
nav a { margin-right: 14px; color: #486581; }
</style>
</head>
<body>
<header><h1>{{ title }}</h1><p>{{ subtitle }}</p><p>Generated {{ generated }}</p></header>
<main>
<nav>{% for s in sections %}<a href="#s{{ loop.index }}">{{ s.title }}</a>{% endfor %}</nav>
{% for s in sections %}
<section id="s{{ loop.index }}">
<h2>{{ s.title }}</h2>
{% for p in s.paragraphs %}<p>{{ p }}</p>{% endfor %}
{% for n in s.notes %}<p class="note">{{ n }}</p>{% endfor %}
{% for t in s.tables %}{{ t | safe }}{% endfor %}
{% for f in s.figures %}
<figure><img src="{{ f.path }}" alt="{{ f.caption }}"><figcaption>{{ f.caption }}</figcaption>
</figure>
{% endfor %}
</section>
{% endfor %}
</main>
</body>
</html>
"""


@dataclass(frozen=True)
class Figure:
    """A PNG next to the report (``path`` relative to the report's folder) and its caption."""

    path: str
    caption: str


@dataclass
class Section:
    """One part of the report."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    def add_table(self, frame: pd.DataFrame, *, float_format: str = "{:,.2f}") -> None:
        """Add a DataFrame as an HTML table (values escaped)."""
        self.tables.append(
            frame.to_html(
                index=False,
                escape=True,
                border=0,
                float_format=lambda v: float_format.format(v),
                na_rep="–",
            )
        )


@dataclass
class Report:
    """An HTML report: a title, a subtitle and sections in order."""

    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)

    def add(self, section: Section) -> Section:
        """Append ``section`` and return it."""
        self.sections.append(section)
        return section

    def render(self) -> str:
        """The report as an HTML string."""
        env = Environment(autoescape=select_autoescape(default=True))
        template = env.from_string(_TEMPLATE)
        generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return template.render(
            title=self.title,
            subtitle=self.subtitle,
            sections=self.sections,
            generated=html.escape(generated),
        )

    def write(self, path: str | Path) -> Path:
        """Write the report atomically to ``path`` (figures must already be next to it)."""
        return atomic_write_text(path, self.render())
