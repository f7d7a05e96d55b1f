from .lessons import lesson_page, parcours_page

__all__ = ["lesson_page", "parcours_page"]
