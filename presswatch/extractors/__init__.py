"""HTML -> article: text, metadata, boilerplate removal, fingerprints."""
