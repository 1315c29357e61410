"""sbr-tui: session-based recommendation with GRU4Rec in the terminal."""

__version__ = "0.1.0"
