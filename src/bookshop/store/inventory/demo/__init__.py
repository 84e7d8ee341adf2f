"""The demo catalogue: 100 public-domain books that `bookshop up` puts in an empty store.

The books live in `catalog.csv`, in the format of the catalogue's CSV import (see
docs/store.md), so the same file can be loaded through that import once it exists.
"""
