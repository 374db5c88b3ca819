"""Extraction stages. Each is a Scrapy item pipeline and a plain function over a batch of Articles."""
