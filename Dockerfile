# oneinbox-check as a container: `docker run --rm --env-file keys.env \
#   -v "$PWD:/config:ro" IMAGE check /config/integrations.toml`
# No key is baked in: keys come from the environment (a Secret, --env-file).
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
 && useradd --system --uid 10001 --home-dir /home/checker --create-home checker
USER 10001:10001
WORKDIR /home/checker
ENTRYPOINT ["oneinbox-check"]
CMD ["--help"]
