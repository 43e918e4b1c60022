# syntax=docker/dockerfile:1
#
# briefbot: one static binary (pure Go: SQLite via modernc.org/sqlite, Matrix
# end-to-end encryption via goolm, the time zone database built in) on Debian
# 12 slim, running as non-root, with Frog (Debian packages frog and frogdata)
# for the Dutch analysis of answers. The sample articles are embedded.
#
#   docker build -t briefbot .
#   docker build --build-arg WITH_FROG=0 -t briefbot:slim .   # without Frog (about 300 MB smaller)
#   docker run -it --rm -v briefbot-data:/data briefbot            # console bot on the sample articles (needs -i:
#                                                                  # without Slack or Matrix it ends with its input)
#   docker run -d -v briefbot-data:/data -v ./news:/articles:ro --memory 3g \
#     -e BRIEFBOT_ARTICLES_DIR=/articles \
#     -e BRIEFBOT_SLACK_BOT_TOKEN=xoxb-… -e BRIEFBOT_SLACK_APP_TOKEN=xapp-… briefbot
#
# Configuration: environment variables (BRIEFBOT_…, see config/example.yaml)
# or a file: -v ./briefbot.yaml:/etc/briefbot/briefbot.yaml:ro
#            -e BRIEFBOT_CONFIG=/etc/briefbot/briefbot.yaml
#
# Frog: serve starts it in the background (frog.mode auto) and answers with
# the built-in analysis until it has loaded (10–50 s). Each Frog process
# holds 1.3–1.9 GB resident on top of briefbot's own memory: give the
# container about 1 GB plus 2 GB per process (frog.processes, default 1), or
# set BRIEFBOT_FROG_MODE=off. Frog is GPL-licensed; it is installed here from
# Debian as a separate program that briefbot talks to over a socket, and
# nothing of it is copied into the briefbot binary. Whoever distributes this
# image distributes those Debian packages too (their sources are Debian's).

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first, so editing code does not refetch them.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=""
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -tags goolm,timetzdata -trimpath -buildvcs=false \
      -ldflags="-s -w" -o /out/briefbot ./cmd/briefbot \
 && /out/briefbot version \
 && mkdir -p /out/data

FROM debian:bookworm-slim
# ca-certificates for Slack and Matrix over HTTPS; frog and its models
# (frogdata, uctodata for its tokenizer) unless WITH_FROG=0. The user is
# distroless's nonroot (65532), which owned /data in earlier images.
ARG WITH_FROG=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && if [ "$WITH_FROG" = 1 ]; then \
      apt-get install -y --no-install-recommends frog frogdata ucto uctodata \
      && frog --version >/dev/null; \
    fi \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 nonroot \
 && useradd --uid 65532 --gid 65532 --home-dir /data --no-create-home --shell /usr/sbin/nologin nonroot
COPY --from=build /out/briefbot /usr/local/bin/briefbot
# The data directory (SQLite database, subscriptions, digest claims, Matrix
# sync position and encryption keys) must outlive the container.
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME ["/data"]

# The listener serves /healthz, /readyz, /metrics and Slack's HTTP mode.
# GOMEMLIMIT is a soft heap limit. The index and the article texts live in
# a mapped file under /data/index (page cache, not heap); the heap holds the
# index build's working set and, while a directory is (re)read, the parsed
# articles. Measured with briefbot-bench: peak RSS 293 MiB at 100,000
# articles and 2.3 GiB at 1,000,000 without a limit. Keep it at about 80% of
# the container's memory left after Frog (2 GB per process); reading a
# directory of a million files holds them all (several GiB) for a while.
ENV BRIEFBOT_DATA_DIR=/data \
    BRIEFBOT_HTTP_ADDR=:8080 \
    BRIEFBOT_LOG_FORMAT=json \
    BRIEFBOT_LOG_LEVEL=info \
    GOMEMLIMIT=800MiB
EXPOSE 8080

USER 65532:65532
# No curl in the image: the binary probes itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=2m --retries=3 \
  CMD ["/usr/local/bin/briefbot", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/briefbot"]
CMD ["serve"]
