"""Presenting scores: plain-text tables now, PDF reports (WeasyPrint) later."""
