FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=wargame.settings
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY . .
# Editable install: the app runs from /app, where templates/ and static/ live beside wargame/.
RUN pip install --no-cache-dir -e . && python scripts/compile_messages.py --force \
    && SECRET_KEY=build python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "wargame.asgi:application", "-k", "uvicorn_worker.UvicornWorker", "-b", "0.0.0.0:8000", "-w", "2", "--graceful-timeout", "3"]
