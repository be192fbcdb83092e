"""Virtual experiment protocols: microdialysis, assays, recording."""
