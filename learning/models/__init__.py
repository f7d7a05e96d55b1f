from .people import IssuedCode, Learner, Structure, User, format_code
from .progress import ExerciseAttempt, LessonProgress
from .settings import LearnerSettings
from .statements import OutboxItem, Statement, XapiCredential

__all__ = [
    "ExerciseAttempt",
    "IssuedCode",
    "Learner",
    "LearnerSettings",
    "LessonProgress",
    "OutboxItem",
    "Structure",
    "Statement",
    "User",
    "XapiCredential",
    "format_code",
]
