"""The pages' routes (docs/pages.md lists them). Each is public unless it says otherwise."""

from django.urls import path

from openbook.web.pages import assets, home, language

urlpatterns = [
    path("", home.home, name="home"),
    path("language/<str:code>", language.choose, name="language"),
    path("assets/<path:name>", assets.serve, {"root": "assets"}, name="assets"),
    path("static/<path:name>", assets.serve, {"root": "static"}, name="static"),
    # search routes
    # process routes
    # organisation routes
    # register and progress routes
]
