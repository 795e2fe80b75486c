"""Match: the index proposes look-alike pairs, the pixels decide copies, pairs become groups."""
