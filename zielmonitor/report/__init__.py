"""The Zielerreichung report: terminal text and the HTML page."""
