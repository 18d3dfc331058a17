# syntax=docker/dockerfile:1
# hermes in a container: data (HERMES_HOME) at /opt/data, `hermes` on PATH, a non-root user
# whose UID/GID come from HERMES_UID/HERMES_GID at start (docker/entrypoint.sh).

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src
# Everything the manifest names (benches, tests) must exist for cargo to load it.
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin hermes \
    && install -m 0755 target/release/hermes /usr/local/bin/hermes

FROM debian:${DEBIAN_RELEASE}-slim
# Tools the agent's terminal tool and cron scripts expect; tzdata so TZ=Asia/Shanghai works.
# Debian's security updates replace exact versions, so pinning them would break rebuilds.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        bash ca-certificates git gosu python3 tini tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10000 hermes \
    && useradd --uid 10000 --gid 10000 --home-dir /opt/data/home --no-create-home \
        --shell /bin/bash hermes
# The binary lives beside PATH; `hermes` on PATH is docker/hermes.sh, which drops from root
# to the data directory's owner (`docker exec` runs as root and skips the entrypoint).
COPY --from=build /usr/local/bin/hermes /usr/local/lib/hermes/hermes
COPY docker/hermes.sh /usr/local/bin/hermes
COPY docker/entrypoint.sh /usr/local/bin/hermes-entrypoint
RUN chmod 0755 /usr/local/bin/hermes /usr/local/bin/hermes-entrypoint /usr/local/lib/hermes/hermes

ENV HERMES_HOME=/opt/data \
    HERMES_UID=10000 \
    HERMES_GID=10000 \
    HERMES_SERVICE_MANAGER=none \
    TZ=UTC
VOLUME ["/opt/data"]
# The API server (when enabled: API_SERVER_ENABLED=true or API_SERVER_KEY set).
EXPOSE 8642
WORKDIR /opt/data
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/hermes-entrypoint"]
CMD ["gateway", "run", "--replace"]
