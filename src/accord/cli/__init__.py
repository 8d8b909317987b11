"""The ``accord`` command line (Typer + Rich): parse, call the core, render."""
