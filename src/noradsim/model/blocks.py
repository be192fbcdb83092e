"""Building blocks: small functions that return rate-law expressions (PySB macros).

Each returns an infix expression string over parameter and species names, so the same
law feeds SBML and the scipy reference engine, and reads like the textbook formula.
"""

from __future__ import annotations


def michaelis_menten(substrate: str, vmax: str, km: str, km_factor: str = "1") -> str:
    r"""Michaelis-Menten rate :math:`V_{max} S / (K_m f + S)`.

    ``km_factor`` is :math:`1 + \sum_i I_i/K_i` for competitive inhibitors (see
    :func:`competitive_factor`).

    >>> michaelis_menten("S", "vmax", "km")
    'vmax*S/(km*(1) + S)'
    """
    return f"{vmax}*{substrate}/({km}*({km_factor}) + {substrate})"


def competitive_factor(pairs: list[tuple[str, str]]) -> str:
    r"""The apparent-Km factor :math:`1 + \sum_i [I_i]/K_i` for competitive inhibitors.

    >>> competitive_factor([("drug_b", "drug_ki_net")])
    '1 + drug_b/drug_ki_net'
    >>> competitive_factor([])
    '1'
    """
    return "1" + "".join(f" + {c}/{k}" for c, k in pairs)


def operational_activation(agonists: list[tuple[str, str, str]], antagonists: list[tuple[str, str]]) -> str:
    r"""Fractional response of the operational model with several ligands (Black & Leff 1983).

    .. math:: E/E_m = \frac{\sum_i \tau_i x_i}{1 + \sum_j x_j + \sum_i \tau_i x_i},\quad x = [A]/K_A

    ``agonists`` are ``(concentration, K, tau)`` triples; ``antagonists`` ``(concentration, K)``.
    With one agonist and no antagonist it reduces to
    :math:`\tau [A]/(K_A + (1+\tau)[A])`, i.e. :math:`EC_{50} = K_A/(1+\tau)`.
    """
    num = " + ".join(f"{t}*{c}/{k}" for c, k, t in agonists) or "0"
    occ = " + ".join([f"{c}/{k}" for c, k, _ in agonists] + [f"{c}/{k}" for c, k in antagonists]) or "0"
    return f"({num})/(1 + {occ} + {num})"


def hill(x: str, k: str, n: str) -> str:
    """Hill function :math:`x^n/(x^n + k^n)`.

    >>> hill("ca", "kca", "nca")
    'ca^nca/(ca^nca + kca^nca)'
    """
    return f"{x}^{n}/({x}^{n} + {k}^{n})"


def softplus_rate(drive: str, scale: str, threshold: str, softness: str) -> str:
    r"""Smooth threshold-linear f-I curve :math:`r = g s \ln(1 + e^{(I-\theta)/s})`."""
    return f"{scale}*{softness}*ln(1 + exp(({drive} - {threshold})/{softness}))"


def first_order(species: str, k: str) -> str:
    """Mass-action first-order rate ``k*S``."""
    return f"{k}*{species}"
