"""Rendering: APA strings (:mod:`.apa`), tables, figures and the HTML report."""
