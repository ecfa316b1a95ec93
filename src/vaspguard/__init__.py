"""vaspguard: a compliance control plane for cryptocurrency exchanges.

Packages, one per capability, with data flowing one way:
``registry`` and ``lists`` -> ``screening`` -> ``policy`` -> ``requests``, and all of them -> ``audit``.
A lower layer never imports a higher one.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
