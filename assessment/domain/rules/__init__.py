"""What the product computes: scoring, roadmap, peer benchmarks, trajectories, answer checks."""
