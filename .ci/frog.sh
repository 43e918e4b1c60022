#!/usr/bin/env bash
# Makes sure Frog, the Dutch NLP suite (Radboud/Tilburg; GPL, run only as a
# separate process), is installed for the tests of briefings/analysis:
# Debian's packages frog (the program) and frogdata (its Dutch models, about
# 1 GB installed). Idempotent: with both present it only prints the path.
# Otherwise it runs apt-get install -y (as root, or through sudo), after an
# apt-get update only when the package lists do not know frog. apt's output
# is shown only when it fails.
#
# The last line printed is the frog binary, so callers can do:
#   export BRIEFBOT_FROG_BIN=$(bash .ci/frog.sh | tail -n1)
set -euo pipefail

bin=/usr/bin/frog
config=/usr/share/frog/nld/frog.cfg # from frogdata
# ucto's Dutch tokenizer rules (uctodata, only a Recommends of frog): without
# them frog exits at start-up with "Initialization failed for: [tokenizer]"
tokconfig=/usr/share/ucto/tokconfig-nld

if [[ -x $bin && -f $config && -f $tokconfig ]]; then
	echo "$bin"
	exit 0
fi

sudo=()
if [[ $(id -u) != 0 ]]; then
	if ! command -v sudo >/dev/null; then
		echo "frog.sh: frog is not installed, and installing it needs root (or sudo): apt-get install frog frogdata" >&2
		exit 1
	fi
	sudo=(sudo -n)
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
apt() {
	if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "$@" >"$log" 2>&1; then
		cat "$log" >&2
		echo "frog.sh: '$*' failed" >&2
		exit 1
	fi
}

start=$SECONDS
if ! apt-cache show frog frogdata uctodata >/dev/null 2>&1; then
	apt apt-get update -qq
fi
apt apt-get install -y -qq frog frogdata ucto uctodata
if [[ ! -x $bin || ! -f $config || ! -f $tokconfig ]]; then
	echo "frog.sh: frog frogdata uctodata installed, but $bin, $config or $tokconfig is missing" >&2
	exit 1
fi
echo "frog.sh: installed frog and frogdata in $((SECONDS - start)) s" >&2
echo "$bin"
