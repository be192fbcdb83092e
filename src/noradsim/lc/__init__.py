"""Spiking locus coeruleus neurons and the virtual extracellular recording (issue #3)."""
