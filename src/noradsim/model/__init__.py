"""The declarative model: parameters, species, reactions and rules as data (no numerics)."""
