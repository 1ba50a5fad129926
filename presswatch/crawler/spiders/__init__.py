"""Spiders: one generic SourceSpider serves every source."""
