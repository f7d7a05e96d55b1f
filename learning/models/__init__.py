from .people import IssuedCode, Learner, Structure, User, format_code
from .progress import LessonProgress
from .settings import LearnerSettings

__all__ = [
    "IssuedCode",
    "Learner",
    "LearnerSettings",
    "LessonProgress",
    "Structure",
    "User",
    "format_code",
]
