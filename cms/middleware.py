from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """French unless the person chose another language on the site.

    Django's LocaleMiddleware would follow the browser's Accept-Language: on a
    library computer set to English, a French learner would get an English
    interface around French lessons. Here only an explicit choice (the
    language form, stored in a cookie) changes the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
