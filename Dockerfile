FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir . && rm -rf build *.egg-info
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --system --home /app callfloor && chown -R callfloor /app
USER callfloor
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "callfloor.asgi:application"]
