# Qoltanba: `make run` sets up and starts the program; `make test` sets up and runs every check.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
NCA_FIXTURES ?= $(abspath ../shared/fixtures/nca)
ADVISORY_DB ?= ../shared/advisory-db
export QOLTANBA_NCA_FIXTURES ?= $(NCA_FIXTURES)

# Debian packages the tests call: independent verifiers (openssl with its gost engine, xmlsec1)
# and the C toolchain aws-lc builds with.
TEST_PACKAGES := openssl libengine-gost-openssl xmlsec1 libnss3-tools build-essential pkg-config cmake
# What the tray app (Tauri 2, WebKitGTK) builds against; the whole workspace needs them.
APP_PACKAGES := libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev \
  libjavascriptcoregtk-4.1-dev libxdo-dev libssl-dev file
# The tray app's GUI test: a virtual display, a session bus, WebKit's WebDriver, a font.
GUI_PACKAGES := xvfb xauth dbus-daemon webkit2gtk-driver fonts-dejavu-core
# The Windows build and its checks under Wine (docs/windows.md): MinGW-w64 links the exe and
# builds aws-lc and the test-only bcryptprimitives shim; Wine 8 runs them; NSIS makes the installer.
WINDOWS_PACKAGES := gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine64 wine nsis
# The portal's browser test only (so `make run` does not pull in a browser).
E2E_PACKAGES := chromium

# Installs the Debian packages in $(1) that are missing (with sudo when not root).
define install_missing
	@missing=""; \
	for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

.PHONY: windows windows-deps package-windows run serve test deps cargo-tools check-fixtures lint audit unit gui-test portal-e2e extension-test package screenshots certs bench bench-app clean

# The tray app on a desktop; on a machine without a display, the headless service with the
# terminal prompt (DESIGN.md's server mode).
run: deps
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  cargo build --release -p qoltanba-app && \
	  echo "Starting Qoltanba in the tray; its menu has Certificates…, Allowed sites… and Quit." && \
	  ./target/release/qoltanba-app; \
	else \
	  echo "No display: starting the headless service instead (make serve)."; \
	  $(MAKE) --no-print-directory serve; \
	fi

serve: deps
	cargo build --release -p qoltanba
	@echo "Starting the signing service on 127.0.0.1:13579 with the terminal prompt (Ctrl-C stops it)."
	./target/release/qoltanba serve --prompt tty

test: deps cargo-tools check-fixtures lint audit unit gui-test portal-e2e extension-test windows

deps:
	$(call install_missing,$(TEST_PACKAGES) $(APP_PACKAGES))

cargo-tools:
	@cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
	@command -v cargo-audit >/dev/null 2>&1 || cargo install cargo-audit --locked --quiet
	@command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --version ^2 --locked --quiet
	@python3 -c 'import pexpect' 2>/dev/null || python3 -m pip install --quiet pexpect \
	  || $(SUDO) apt-get install -y -qq python3-pexpect

check-fixtures:
	@if [ -d "$(QOLTANBA_NCA_FIXTURES)/keystores" ]; then \
	  echo "Real NCA fixtures: $(QOLTANBA_NCA_FIXTURES)"; \
	elif [ -n "$${CI:-}" ]; then \
	  echo "NCA fixtures missing at $(QOLTANBA_NCA_FIXTURES) and CI is set" >&2; exit 1; \
	else \
	  echo "NOTE: NCA fixtures not found at $(QOLTANBA_NCA_FIXTURES): the real-NCA tests will not run."; \
	fi

# The portal side stays free of the desktop service: no async runtime, socket, TLS or terminal.
SERVICE_ONLY_CRATES := tokio|tungstenite|rustls|clap|rpassword
lint:
	cargo fmt --all --check
	@if cargo tree -p qoltanba-verify -e normal,build,dev --prefix none | grep -Ew '^($(SERVICE_ONLY_CRATES))'; then \
	  echo "qoltanba-verify depends on the crates above; the portal side must not" >&2; exit 1; fi
	cargo clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

audit:
	@if [ -d "$(ADVISORY_DB)" ]; then \
	  cargo audit --db $(ADVISORY_DB) --no-fetch; \
	elif [ -n "$${CI:-}" ]; then \
	  echo "advisory database missing at $(ADVISORY_DB)" >&2; exit 1; \
	else \
	  echo "NOTE: no advisory database at $(ADVISORY_DB): cargo audit did not run."; \
	fi

unit:
	cargo test --workspace --all-targets
	cargo test --workspace --doc
	cd client-js && npm ci --no-audit --no-fund && npm test

# The real tray app under Xvfb, driven by tauri-driver + WebKitWebDriver while a page asks it to
# log in; screenshots land in target/gui-screenshots/. (--workspace: the same build as `make unit`.)
GUI_RUN := xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session --
gui-test: deps cargo-tools
	$(call install_missing,$(GUI_PACKAGES))
	$(GUI_RUN) cargo test --workspace --test gui -- --ignored --test-threads=1

# The README's screenshots, made by the GUI test.
screenshots: deps cargo-tools
	$(call install_missing,$(GUI_PACKAGES))
	GUI_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GUI_RUN) \
	  cargo test --workspace --test gui -- --ignored --test-threads=1

# Installers into target/release/bundle/: the .deb here (msi/dmg on their platforms), then the
# AppImage, whose tools (linuxdeploy, AppRun) Tauri downloads from GitHub: without that network
# it says so and the .deb still stands.
package: deps
	npm ci --no-audit --no-fund
	npx tauri build --bundles deb
	npx tauri build --bundles appimage \
	  || echo "NOTE: no AppImage: Tauri could not download linuxdeploy/AppRun from github.com."

# Headless Chromium registers and logs in with EDS on the reference portal against the real
# `qoltanba serve`; screenshots land in portal/e2e/screenshots/ (portal/README.md).
portal-e2e:
	$(call install_missing,$(E2E_PACKAGES))
	cd portal/e2e && npm ci --no-audit --no-fund && npm test

WINDOWS_TARGET := x86_64-pc-windows-gnu
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
WINDOWS_EXE := $(TARGET_DIR)/$(WINDOWS_TARGET)/debug/qoltanba.exe
# The same folder as Windows programs see it (Wine maps / to Z:): test binaries in deps/ find
# WebView2Loader.dll there.
WINDOWS_EXE_DIR := Z:$(subst /,\,$(TARGET_DIR)/$(WINDOWS_TARGET)/debug)
# A throwaway Wine prefix for the tests, with the test-only bcryptprimitives.dll shim in it.
WINE_DIR := $(TARGET_DIR)/wine
WINE_ENV := WINEPREFIX=$(WINE_DIR)/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="

windows-deps:
	$(call install_missing,$(WINDOWS_PACKAGES))
	@rustup target list --installed | grep -qx $(WINDOWS_TARGET) || rustup target add $(WINDOWS_TARGET)

# Cross-builds qoltanba.exe and the tray app, and runs them under Wine: the CLI on the real NCA
# keystores, the Root store, the installer and the tray app (tests/wine.rs), the Credential
# Manager (src-tauri/tests/windows_credentials.rs), then the socket suite against
# `qoltanba.exe serve` (tests/wine/socket_suite.sh). docs/windows.md says what each proves.
WINDOWS_BUILD := --target $(WINDOWS_TARGET) --workspace --exclude qoltanba-portal --exclude qoltanba-verify
windows: deps windows-deps
	$(call install_missing,$(GUI_PACKAGES))
	cargo build $(WINDOWS_BUILD) --bins
	@mkdir -p $(WINE_DIR)/stage
	x86_64-w64-mingw32-gcc -shared -O2 -s -o $(WINE_DIR)/bcryptprimitives.dll \
	  tests/wine/bcryptprimitives.c -ladvapi32
	@if [ ! -f $(WINE_DIR)/prefix/system.reg ]; then $(WINE_ENV) wine wineboot -i; $(WINE_ENV) wineserver -w; fi
	cp $(WINE_DIR)/bcryptprimitives.dll $(WINE_DIR)/prefix/drive_c/windows/system32/
	x86_64-w64-mingw32-strip -o $(WINE_DIR)/stage/qoltanba.exe $(WINDOWS_EXE)
	makensis -V2 -DVERSION=$(VERSION) -DBINDIR=$(WINE_DIR)/stage \
	  -DOUTFILE=$(WINE_DIR)/qoltanba-test-setup.exe packaging/windows/qoltanba.nsi
# One Wine program at a time: a parallel run once saw `wine` exit 1 with no output (not reproduced).
	$(WINE_ENV) QOLTANBA_WINDOWS_EXE=$(WINDOWS_EXE) \
	  QOLTANBA_WINDOWS_INSTALLER=$(WINE_DIR)/qoltanba-test-setup.exe \
	  cargo test --workspace --test wine -- --ignored --skip tray_app --test-threads=1
# The tray app alone, once the prefix is idle: Wine's desktop process must start under Xvfb.
	$(WINE_ENV) wineserver -w
	$(WINE_ENV) QOLTANBA_WINDOWS_EXE=$(WINDOWS_EXE) cargo test --workspace --test wine tray_app -- --ignored
	$(WINE_ENV) WINEPATH='$(WINDOWS_EXE_DIR)' cargo test $(WINDOWS_BUILD) --test windows_credentials
	$(WINE_ENV) QOLTANBA_WINDOWS_EXE=$(WINDOWS_EXE) tests/wine/socket_suite.sh

# The Windows release: qoltanba.exe and the tray app, in a per-user NSIS installer
# (packaging/windows/qoltanba.nsi; Tauri's own NSIS bundler downloads its tools from GitHub).
WINDOWS_RELEASE := $(TARGET_DIR)/$(WINDOWS_TARGET)/release
package-windows: deps windows-deps
	cargo build --release --target $(WINDOWS_TARGET) --workspace \
	  --exclude qoltanba-portal --exclude qoltanba-verify --bins
	@mkdir -p $(WINDOWS_RELEASE)/bundle/nsis
	makensis -V2 -DVERSION=$(VERSION) -DWITH_APP -DBINDIR=$(WINDOWS_RELEASE) \
	  -DOUTFILE=$(WINDOWS_RELEASE)/bundle/nsis/Qoltanba_$(VERSION)_x64-setup.exe \
	  packaging/windows/qoltanba.nsi
	@ls -l $(WINDOWS_RELEASE)/qoltanba.exe $(WINDOWS_RELEASE)/qoltanba-app.exe \
	  $(WINDOWS_RELEASE)/bundle/nsis/Qoltanba_$(VERSION)_x64-setup.exe

# The browser path (issue 17) in headless Chromium: Local Network Access blocks a public page and
# client-js says so; the unpacked extension + `qoltanba native-host` sign and log in without it;
# `web-ext lint` checks the Firefox build (extension/README.md).
extension-test:
	$(call install_missing,$(E2E_PACKAGES) openssl xmlsec1)
	cd extension && npm ci --no-audit --no-fund && npm test

# Regenerate the test PKI (certs-test/README.md lists what it makes).
certs:
	bash certs-test/generate.sh

bench:
	cargo bench -p qoltanba-core --bench signing
	cargo bench --bench socket
	cargo bench --workspace --bench timestamp
	bench/compare.sh
	bench/gost_compare.sh
	bench/serve_start.sh
	bench/flood_rss.sh
	bench/extension.sh
	$(MAKE) --no-print-directory bench-app

# The tray app's start time, memory and sizes (builds the .deb first for its size).
bench-app: package
	$(call install_missing,$(GUI_PACKAGES))
	xvfb-run -a dbus-run-session -- bench/app_start.sh

clean:
	cargo clean
