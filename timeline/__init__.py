"""Turn annotated seed articles into a sourced, chronological timeline site.

The package is a one-way pipeline, one module a stage:
``load`` -> ``validate`` -> ``model`` -> ``render`` -> ``write``.
"""
