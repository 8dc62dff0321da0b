"""Many inputs → the same pipeline per image → an SQLite inventory → queries and a fleet page.

audit.py      PATH... → inputs (discovery, identity, incremental skip) → results → inventory
executors.py  where the per-input work runs: in this process, or on a Dask cluster
inventory.py  the SQLite schema (docs/inventory-schema.md), one transaction per input
query.py      read-only questions over an inventory
page.py       the fleet page (html, md) from an inventory
"""

__all__: list[str] = []
