"""Writers that turn computed tables and figures into files (Markdown, CSV, Excel, LaTeX, HTML)."""
