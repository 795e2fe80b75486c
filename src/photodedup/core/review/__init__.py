"""Review: the keeper, the one policy of what may be trashed, the person's choices, the report."""
