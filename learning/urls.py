from django.urls import path

from .views import cards, lessons, signin, signup, xapi

app_name = "learning"

urlpatterns = [
    path("connexion/", signin.signin, name="signin"),
    path("connexion/images/", signin.signin_pictures, name="signin_pictures"),
    path("deconnexion/", signin.signout, name="signout"),
    path("session/present/", signin.session_ping, name="session_ping"),
    path("moi/", signin.home, name="home"),
    path("moi/carte/", cards.my_card, name="my_card"),
    path("moi/carte.pdf", cards.my_card_pdf, name="my_card_pdf"),
    path("inscription/", signup.signup, name="signup"),
    path("progression/temps/", lessons.lesson_time, name="lesson_time"),
    path("xapi/statements", xapi.statements, name="xapi_statements"),
    path("xapi/about", xapi.about, name="xapi_about"),
]
