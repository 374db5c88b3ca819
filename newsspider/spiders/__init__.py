"""Spiders: HTTP and HTML only; they yield ArticleItems."""
