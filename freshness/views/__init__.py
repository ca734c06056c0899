"""Text for people: each module turns one core result into terminal, CI or JSON text (CLI only)."""
