"""``noradsim drugs``: list the drug library with affinities, PK, and each value's kind and source."""

from __future__ import annotations

NAME = "drugs"
HELP = "list the drug library (affinities, efficacy, rat PK) with units, kind and source"

_PK_FIELDS = (("clearance", "L/h/kg"), ("volume", "L/kg"), ("fu_plasma", ""), ("kpuu_brain", ""),
              ("brain_equilibration", "s"))


def add_arguments(p):
    p.add_argument("name", nargs="?", help="show one drug in full")
    p.add_argument("--drugs", action="append", default=[], metavar="FILE", help="user drug file(s) to add")


def _cited(v, unit: str = "") -> str:
    """``value unit [kind] -- provenance`` of one library value."""
    return f"{v.value:g}{' ' + unit if unit else ''} [{v.kind}] -- {v.source}"


def _show_pk(pk, full: bool) -> None:
    print(f"  PK ({pk.species}): CL {pk.clearance.value:g} L/h/kg, V {pk.volume.value:g} L/kg, "
          f"fu {pk.fu_plasma.value:g}, Kp,uu brain {pk.kpuu_brain.value:g}, "
          f"brain t1/2 {pk.brain_equilibration.value:g} s")
    if full:
        for field, unit in _PK_FIELDS:
            print(f"    {field}: {_cited(getattr(pk, field), unit)}")
    for r, rp in pk.routes.items():
        if full:
            print(f"    {r} bioavailability: {_cited(rp.bioavailability)}")
            print(f"    {r} absorption_halflife: {_cited(rp.absorption_halflife, 's')}")
        else:
            print(f"    {r}: F {rp.bioavailability.value:g}, absorption t1/2 {rp.absorption_halflife.value:g} s")


def main(args) -> int:
    from ..drugs import load_library

    lib = load_library(args.drugs)
    names = [lib.get(args.name).name.lower()] if args.name else lib.names()
    for key in names:
        d = lib.drugs[key]
        print(f"{d.name} ({d.drug_class}); M = {d.molar_mass.value:g} g/mol [{d.origin}]")
        for b in d.bindings:
            eff = f", efficacy {b.efficacy.value:g} [{b.efficacy.kind}]" if b.efficacy else ""
            mech = f", {b.mechanism} (kinact {b.kinact.value:g} 1/s)" if b.kinact else ""
            ka = f", operational KA {b.ka.value:g} nM [{b.ka.kind}]" if b.ka else ""
            print(f"  {b.target:8s} Ki {b.ki.value:g} nM ({b.species}) [{b.ki.kind}]{eff}{ka}{mech} -- {b.ki.source}")
        if d.pk:
            _show_pk(d.pk, bool(args.name))
    return 0
