from django.urls import path

from .views import cards, lessons, signin, signup, simulations, xapi
from .views import help as help_views

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
    path("simulation/commencer/", simulations.simulation_start, name="simulation_start"),
    path("simulation/<uuid:run_id>/", simulations.simulation_screen, name="simulation"),
    path(
        "simulation/<uuid:run_id>/recommencer/",
        simulations.simulation_restart,
        name="simulation_restart",
    ),
    path(
        "simulation/<uuid:run_id>/<path:path>",
        simulations.simulation_screen,
        name="simulation_screen",
    ),
    path("xapi/statements", xapi.statements, name="xapi_statements"),
    path("xapi/about", xapi.about, name="xapi_about"),
    path("aide/", help_views.help_request_raise, name="help_request_raise"),
    path("aide/annuler/", help_views.help_request_cancel, name="help_request_cancel"),
]
