"""Publish: execute the report notebooks, export HTML and PDF, write the downloads and
site pages, and replace a round atomically."""
