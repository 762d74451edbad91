"""HTML reports with plots: the demo and pipeline runs write one per run."""

from supplymind.reporting.report import Figure, Report, Section

__all__ = ["Figure", "Report", "Section"]
