"""The pipeline: papermill execution, cache, results.json, Jupyter Book, publishing."""
