"""photodedup: find duplicate and near-duplicate photos, review them, trash the copies."""

__version__ = "0.1.0"
