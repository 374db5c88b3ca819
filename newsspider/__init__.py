"""newsspider: entertainment news → deduplicated JSON Lines records of shows, studios, platforms, dates."""

__version__ = "0.1.0"
