from .people import IssuedCode, Learner, Structure, User, format_code
from .progress import ExerciseAttempt, LessonProgress
from .settings import LearnerSettings

__all__ = [
    "ExerciseAttempt",
    "IssuedCode",
    "Learner",
    "LearnerSettings",
    "LessonProgress",
    "Structure",
    "User",
    "format_code",
]
