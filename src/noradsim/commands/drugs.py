"""``noradsim drugs``: list the drug library with affinities, PK and sources."""

from __future__ import annotations

NAME = "drugs"
HELP = "list the drug library (affinities, efficacy, rat PK) with units and sources"


def add_arguments(p):
    p.add_argument("name", nargs="?", help="show one drug in full")
    p.add_argument("--drugs", action="append", default=[], metavar="FILE", help="user drug file(s) to add")


def main(args) -> int:
    from ..drugs import load_library

    lib = load_library(args.drugs)
    names = [lib.get(args.name).name.lower()] if args.name else lib.names()
    for key in names:
        d = lib.drugs[key]
        print(f"{d.name} ({d.drug_class}); M = {d.molar_mass.value:g} g/mol [{d.origin}]")
        if args.name or True:
            for b in d.bindings:
                eff = f", efficacy {b.efficacy.value:g}" if b.efficacy else ""
                mech = f", {b.mechanism} (kinact {b.kinact.value:g} 1/s)" if b.kinact else ""
                print(f"  {b.target:8s} Ki {b.ki.value:g} nM ({b.species}){eff}{mech} -- {b.ki.source}")
            if d.pk:
                pk = d.pk
                print(f"  PK ({pk.species}): CL {pk.clearance.value:g} L/h/kg, V {pk.volume.value:g} L/kg, "
                      f"fu {pk.fu_plasma.value:g}, Kp,uu brain {pk.kpuu_brain.value:g}, "
                      f"brain t1/2 {pk.brain_equilibration.value:g} s")
                if args.name:
                    for field in ("clearance", "volume", "fu_plasma", "kpuu_brain", "brain_equilibration"):
                        print(f"    {field}: {getattr(pk, field).source}")
                for r, rp in pk.routes.items():
                    print(f"    {r}: F {rp.bioavailability.value:g}, absorption t1/2 {rp.absorption_halflife.value:g} s"
                          + (f" -- {rp.bioavailability.source}" if args.name else ""))
    return 0
