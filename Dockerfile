FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY queues ./queues
COPY rota ./rota
COPY display ./display
COPY network ./network
COPY stats ./stats
COPY notify ./notify
COPY forecast ./forecast
RUN pip install --no-cache-dir . && useradd --create-home walkin
USER walkin
EXPOSE 8000
CMD ["walkin", "serve", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
