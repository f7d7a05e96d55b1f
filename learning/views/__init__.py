from .lessons import lesson_page

__all__ = ["lesson_page"]
