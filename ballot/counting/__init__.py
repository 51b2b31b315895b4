"""The counting area: totals after close, trustees' partial decryptions, results, record."""
