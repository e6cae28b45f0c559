# oneinbox-check as a container: `docker run --rm --env-file keys.env \
#   -v "$PWD:/config:ro" IMAGE check /config/integrations.toml`
# No key is baked in: keys come from the environment (a Secret, --env-file).
#
# BASE is any image with python3 (>= 3.11) and its venv module at the same path
# in both stages; the default is the slim official image. CI, which cannot pull
# it, passes a local one made from Debian packages (.ci/container-base, .ci/run).
ARG BASE=python:3.12-slim

FROM ${BASE} AS build
LABEL org.opencontainers.image.title=oneinbox-check
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
# A virtual environment, not the system Python: it works the same on a base
# whose Python is marked externally managed (PEP 668) and is copied whole.
RUN python3 -m venv /opt/oneinbox-check \
 && /opt/oneinbox-check/bin/pip install . \
 && /opt/oneinbox-check/bin/oneinbox-check --version

FROM ${BASE}
LABEL org.opencontainers.image.title=oneinbox-check \
      org.opencontainers.image.description="Checks third-party API keys before they go live in OneInbox" \
      org.opencontainers.image.licenses=MIT
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/oneinbox-check/bin:$PATH
COPY --from=build /opt/oneinbox-check /opt/oneinbox-check
RUN groupadd --gid 10001 checker \
 && useradd --uid 10001 --gid 10001 --no-log-init --create-home --home-dir /home/checker checker
USER 10001:10001
WORKDIR /home/checker
ENTRYPOINT ["oneinbox-check"]
CMD ["--help"]
