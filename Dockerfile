# The credit-graph API for production: it talks to the neo4j service of docker-compose.yml,
# so the image carries no Java and no embedded Neo4j.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY graph_service ./graph_service
COPY loaders ./loaders
COPY cypher ./cypher
COPY neo4j-embedded/pom.xml ./neo4j-embedded/pom.xml
COPY neo4j-embedded/src ./neo4j-embedded/src
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
# /var/lib/credit-graph/keys holds the receipt signing key (docker-compose.yml mounts a named
# volume there). It exists in the image, owned by the service user, because an empty named
# volume starts as a copy of its mount point: otherwise root would own it and the key could
# not be created.
# WeasyPrint renders credit reports with Pango; Noto CJK is the font their Chinese text embeds.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home /app credit-graph \
 && install -d -o credit-graph -g credit-graph -m 0700 /var/lib/credit-graph/keys
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER credit-graph
ENV CREDIT_GRAPH_HOST=0.0.0.0 CREDIT_GRAPH_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["credit-graph", "serve"]
