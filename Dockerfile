# Builds the `tandem` binary and runs it on a slim Debian.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin tandem

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/tandem /usr/local/bin/tandem
WORKDIR /var/lib/tandem
ENV BIND_ADDR=0.0.0.0:8080 INDEX_DIR=/var/lib/tandem/index MAIL_OUTBOX_DIR=/var/lib/tandem/mail-outbox
EXPOSE 8080
CMD ["tandem", "serve"]
