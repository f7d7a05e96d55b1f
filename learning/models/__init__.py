from .people import User

__all__ = ["User"]
