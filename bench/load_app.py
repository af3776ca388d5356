"""The WSGI app ``bench/load.py`` serves with gunicorn: the portal, plus one bare route.

``/bench/bare`` returns a short text without touching the database or a template: the
baseline for "how fast can this gunicorn answer a Flask request at all".
"""

from portal import create_app

app = create_app()


@app.get("/bench/bare")
def bench_bare():
    return "ok", 200, {"Content-Type": "text/plain"}
