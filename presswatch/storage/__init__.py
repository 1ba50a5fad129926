"""Persistence: engine and transactions (db), models, one store per responsibility (sources,
runs, feeds, clippings, matches, outbox, review), the Repository over them, migrations."""
