"""ipsrep: an executable replication report of the IPS in Pain trial.

Sveinsdottir V, et al. The Individual Placement and Support (IPS) in Pain Trial.
Pain Medicine 2022;23(10):1757-66. doi:10.1093/pm/pnac032
"""
__version__ = "0.1.0"
