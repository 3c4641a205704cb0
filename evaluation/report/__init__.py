"""Report: what pages show, from the published round result only: text, tables,
charts, maps, methods."""
