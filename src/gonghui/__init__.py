"""gonghui: a platform on which trade unions run and report their year of work."""

__version__ = "0.1.0"
