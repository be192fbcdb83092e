"""Virtual experiments (protocols) run on the noradsim models."""
