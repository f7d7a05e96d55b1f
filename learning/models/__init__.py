from .groups import Attendance, Group, HelpRequest, Partner, Referral, TrainingSession
from .notes import TrainerNote, TrainerNoteVersion
from .people import IssuedCode, Learner, Structure, User, format_code
from .progress import ExerciseAttempt, LessonProgress
from .settings import LearnerSettings
from .simulations import SimulatorRun
from .statements import OutboxItem, Statement, XapiCredential

__all__ = [
    "Attendance",
    "Group",
    "HelpRequest",
    "Partner",
    "Referral",
    "TrainerNote",
    "TrainerNoteVersion",
    "TrainingSession",
    "ExerciseAttempt",
    "IssuedCode",
    "Learner",
    "LearnerSettings",
    "LessonProgress",
    "OutboxItem",
    "Structure",
    "SimulatorRun",
    "Statement",
    "User",
    "XapiCredential",
    "format_code",
]
