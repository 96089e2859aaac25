# The tracker service image: `docker compose up` runs it beside PostgreSQL.
FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY tracker ./tracker
RUN pip install --no-cache-dir .
COPY seeds ./seeds
# Settings come from the environment and /app/config/tracker.toml (mounted by compose).
CMD ["tracker", "run"]
