"""Unit checking of declarative models (Brian2's ``check_dimensions`` for rate laws).

Every parameter, species, compartment size and rule declares a unit. A rule's expression
must have the unit its target declares; a reaction's rate must be an amount per second,
where the amount of a species is its concentration unit times the unit of its
compartment's size (a compartment sized by a number is a relative size, dimensionless).
All species a reaction moves must agree on that amount, so the stoichiometry is
meaningful. Scale counts as well as dimension: numbers are plain floats in fixed units,
so ``mM`` against ``uM`` is an error, not a conversion.
"""

from __future__ import annotations

from ..units import ONE, Dim, UnitError, dim, expression_dim, mismatch

TIME_UNIT = "s"  # the model's time unit (the package's internal time unit)


def _declared(unit: str, what: str) -> Dim:
    if not str(unit).strip():
        raise UnitError(f"{what} declares no unit; write '1' for a dimensionless quantity")
    try:
        return dim(unit)
    except UnitError as exc:
        raise UnitError(f"{what}: {exc}") from None


def compartment_dims(model) -> dict[str, Dim]:
    """Unit of each compartment's size: its parameter's unit, or dimensionless for a number."""
    out = {}
    for c in model.compartments:
        if isinstance(c.size, str):
            out[c.name] = _declared(model.parameters[c.size].unit, f"model {model.name}: parameter {c.size}")
        else:
            out[c.name] = ONE
    return out


def species_amount_dims(model) -> dict[str, Dim]:
    """Unit of the amount of each species: concentration unit x compartment size unit."""
    comps = compartment_dims(model)
    return {s.name: _declared(s.unit, f"model {model.name}: species {s.name}") * comps[s.compartment]
            for s in model.species}


def reaction_amount_dim(model, reaction, amounts: dict[str, Dim] | None = None) -> Dim | None:
    """The amount a reaction moves (``None`` for a reaction without species).

    Raises :class:`UnitError` when its species disagree.
    """
    amounts = amounts if amounts is not None else species_amount_dims(model)
    names = list(reaction.reactants) + list(reaction.products)
    if not names:
        return None
    first = amounts[names[0]]
    for n in names[1:]:
        if not amounts[n].same(first):
            raise UnitError(
                f"model {model.name}: reaction {reaction.name} moves {names[0]} (amount in {first}) and "
                f"{n} (amount in {amounts[n]}): {mismatch(amounts[n], first)}")
    return first


def check_model_units(model) -> None:
    """Check every rule and rate law of ``model`` against the declared units.

    Raises
    ------
    UnitError
        (an :class:`~noradsim.errors.InputError`) naming the rule or reaction, the
        expression's unit and dimension, and the declared ones.
    """
    symbols: dict[str, Dim] = {}
    for p in model.parameters:
        symbols[p.name] = _declared(p.unit, f"model {model.name}: parameter {p.name}")
    symbols.update(compartment_dims(model))
    amounts = species_amount_dims(model)
    for s in model.species:
        symbols[s.name] = dim(s.unit)
    for r in model.rules:
        declared = _declared(r.unit, f"model {model.name}: rule {r.name}")
        where = f"model {model.name}: rule {r.name}"
        got = expression_dim(r.expression, symbols, where)
        if not got.same(declared):
            raise UnitError(f"{where}: {r.expression!r} has unit {got} but {r.name} is declared in {r.unit!r} "
                            f"({mismatch(got, declared)})")
        symbols[r.name] = declared
    per_time = dim(TIME_UNIT) ** -1.0
    for rx in model.reactions:
        amount = reaction_amount_dim(model, rx, amounts)
        where = f"model {model.name}: reaction {rx.name}"
        got = expression_dim(rx.rate, symbols, where)
        if amount is None:
            continue
        expected = amount * per_time
        if not got.same(expected):
            raise UnitError(f"{where}: rate {rx.rate!r} has unit {got} but the reaction moves {expected} "
                            f"(amount per {TIME_UNIT}; {mismatch(got, expected)})")
