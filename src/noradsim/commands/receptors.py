"""``noradsim receptors``: adrenoceptor subtypes, ligand affinities and NE cascade EC50s."""

from __future__ import annotations

NAME = "receptors"
HELP = "list adrenoceptor subtypes: G protein, L-/D-NE and epinephrine affinities, NE cascade EC50 vs published"


def add_arguments(p):
    from ..vocabulary import SPECIES

    p.add_argument("--species", default="rat", choices=SPECIES,
                   help="species for affinities (default rat; a species without a measurement falls back to human)")
    p.add_argument("--drug", action="append", default=[], metavar="NAME", help="also list a drug's Ki and efficacy")
    p.add_argument("--no-ec50", action="store_true", help="skip the cascade dose-response simulations")


def main(args) -> int:
    from ..drugs import load_library
    from ..model.cascades import PUBLISHED_EC50, ne_cascade_ec50
    from ..receptors.occupancy import RECEPTORS, get_receptor

    library = load_library()
    drugs = [library.get(d) for d in args.drug]
    for name in RECEPTORS:
        rec = get_receptor(name)
        ne = rec.ne_ki(args.species)
        line = (f"{name:8s} {rec.g_protein:5s} L-NE Ki {ne.value:g} nM ({ne.species}); D-NE {rec.ki('d-norepinephrine', args.species):g} nM; "
                f"epinephrine {rec.ki('epinephrine', args.species):.3g} nM; tau(NE) {rec.tau.value:g}")
        if not args.no_ec50:
            ec = ne_cascade_ec50(name)
            pub = PUBLISHED_EC50.get(name)
            verdict = ""
            if pub:
                verdict = f" [published {pub[0]:g}-{pub[1]:g} nM, {pub[2]}: {'within' if pub[0] <= ec <= pub[1] else 'outside'}]"
            line += f"; NE cascade EC50 {ec:.3g} nM{verdict}"
        print(line)
        print(f"         NE Ki source: {ne.source}")
        for d in drugs:
            b = d.binding(name, args.species)
            if b:
                print(f"         {d.name}: Ki {b.ki.value:g} nM ({b.species}), efficacy {d.efficacy(name, args.species):g} -- {b.ki.source}")
    return 0
