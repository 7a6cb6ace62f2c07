"""recdemo: see why softmax recommenders need negatives (folding, made visible)."""
