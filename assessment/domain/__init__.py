"""The pure core: no web, ORM or PDF library is imported anywhere below this package.

- `model`: the values (instrument, answers, results) as frozen dataclasses.
- `rules`: what the product computes from them (scoring, roadmap, peer benchmarks,
  trajectories, answer checks).
- `loading`: the instrument-loading pipeline (YAML reader, schema, checks, problems with
  file and line, the catalog of instrument files).
- `formats`: the file and JSON formats (answers files, instrument and result dicts).
- `demo`: the generator of the synthetic demo population.
"""
