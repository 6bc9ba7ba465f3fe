"""The agency's self-assessment workspace, one module per kind of page."""
