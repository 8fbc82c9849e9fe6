# The app's image: every dependency is installed from the lock (exact versions, hashes checked)
# when the image is built, so a container starts the app without installing anything.
FROM python:3.11-slim

# MALLOC_MMAP_THRESHOLD_: glibc gives blocks of 64 KiB and more (request bodies being read)
# back to the system when they are freed, so the memory that many large or stalled bodies took
# returns once their connections are gone (bench/stalled_bodies.py: 300 stalled bodies, 89 MB
# left after they closed without it, 75 MB with it, from 69 MB before).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MALLOC_MMAP_THRESHOLD_=65536

WORKDIR /srv/scentiss

# The lock alone first: this layer is rebuilt only when the lock changes, not with every edit.
COPY requirements/main.lock requirements/main.lock
RUN pip install --require-hashes -r requirements/main.lock

COPY . .
# Translations and static files belong to the image too. The key here only lets the settings
# load for these two commands; the container gets its own from .env.
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py compilemo \
    && SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py collectstatic --noinput -v0 \
    && rm -f /tmp/build.sqlite3

# The code is run from here (manage.py and uvicorn put this folder on the path): the project
# itself needs no install. Not root at run time.
RUN useradd --system --home-dir /srv/scentiss scentiss
USER scentiss

EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec uvicorn scentiss.asgi:application --host 0.0.0.0 --port 8000 --workers 2 --ws-per-message-deflate false --http scentiss.transport:HttpToolsProtocol --timeout-keep-alive 5 --proxy-headers --forwarded-allow-ips='*'"]
