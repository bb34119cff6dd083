# leakhound in a small static image:
#   docker build -t leakhound .
#   docker run --rm -v "$PWD:/src" leakhound git .
# The binary is linked statically against musl (Alpine's toolchain), so the final image holds
# nothing else: no shell, no libc, no package manager.
FROM rust:1-alpine AS build
# The C compiler's musl headers, for libgit2. Alpine's package versions move with the image,
# so they are not pinned.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /build
COPY Cargo.toml Cargo.lock build.rs ./
COPY src src
COPY patterns patterns
# The build context has no .git: release builds name the commit here.
ARG LEAKHOUND_COMMIT=unknown
RUN LEAKHOUND_COMMIT="$LEAKHOUND_COMMIT" cargo build --release --locked \
    && cp target/release/leakhound /leakhound

FROM scratch
COPY --from=build /leakhound /usr/local/bin/leakhound
ENV PATH=/usr/local/bin
# Any unprivileged id: leakhound only reads the mounted files and writes where -o points.
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["leakhound"]
