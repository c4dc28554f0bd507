// Benchmarks: filled in by the agreement and console issues.
print("judge-review-bench: no benchmarks yet")
